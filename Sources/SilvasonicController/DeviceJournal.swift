package import ControllerCore
import Foundation
import Logging
import SilvasonicIO
import SilvasonicRedis
import Supervision
import Synchronization

/// What happened to one device's recorder, in order: written by its ``DeviceActor``'s
/// container child (adopted, created, started, stopping, engine errors) and by its supervisor's
/// events (restart scheduled, crash-looping), read by `/status`, the metrics and the health
/// report without waiting on any actor. Each report is logged, counted, queued on
/// `silvasonic:events`, and handed to ``reports`` when the tree keeps report streams (tests,
/// tools: a station keeps none).
///
/// The supervisor's events reach it through ``SupervisionEvents/init(observer:)``, synchronously,
/// so a restart is journaled before the restarted child reports anything.
package final class DeviceJournal<C: Clock<Duration>>: Sendable {
    /// A snapshot of the journal.
    package struct Entry: Sendable {
        public var state: RecorderState = .idle
        /// Crashes (deaths and lost heartbeats) since the actor was made, or since it last
        /// recovered from a crash loop.
        public var crashes = 0
        public var lastFailure: String?
        package var lastStop: StopReason?
        /// When the state or a report last changed.
        package var lastChange: C.Instant
        /// When the next attempt is due, while waiting out a backoff.
        var retryAt: C.Instant?
        /// Past the restart intensity and not yet run stably since.
        package var crashLooping = false
        /// The `timestamp` (epoch seconds) of the last heartbeat the recorder itself wrote, as
        /// its heartbeat child last read it; `nil` before the first.
        package var lastHeartbeat: Double?
    }

    /// The device id (for a worker: its service name).
    package let deviceID: String
    /// `recorder`, or the worker's service.
    public let service: String
    private let clock: C
    private let logger: Logger
    private let metrics: ControllerMetrics
    private let events: LifecycleEvents?
    private let redis: (any RedisCommands)?
    private let entry: Mutex<Entry>
    private let continuation: AsyncStream<RecorderReport>.Continuation?
    /// Every report from the journal's start (the newest 256 kept while nobody reads), when the
    /// tree keeps report streams (`keepReports`); `nil` otherwise.
    package let reports: AsyncStream<RecorderReport>?

    /// The longest wait between restarts (the backoff's cap), said with a crash loop.
    private let longestWait: Duration

    init(deviceID: String, service: String, clock: C, logger: Logger, metrics: ControllerMetrics, events: LifecycleEvents?,
         redis: (any RedisCommands)?, keepReports: Bool, longestWait: Duration) {
        self.longestWait = longestWait
        self.deviceID = deviceID
        self.service = service
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
        self.events = events
        self.redis = redis
        entry = Mutex(Entry(lastChange: clock.now))
        metrics.declare(service: service, device: deviceID)
        if keepReports {
            let (stream, continuation) = AsyncStream.makeStream(of: RecorderReport.self, bufferingPolicy: .bufferingNewest(256))
            (reports, self.continuation) = (stream, continuation)
        } else {
            (reports, continuation) = (nil, nil)
        }
    }

    /// The journal now.
    var snapshot: Entry { entry.withLock { $0 } }

    /// The heartbeat child read a heartbeat the recorder wrote, stamped `timestamp`.
    func heard(at timestamp: Double) {
        entry.withLock { $0.lastHeartbeat = timestamp }
    }

    /// The container child's state changed.
    func set(_ state: RecorderState, retryAt: C.Instant? = nil) {
        let now = clock.now
        entry.withLock {
            if $0.state != state { $0.lastChange = now }
            $0.state = state
            $0.retryAt = retryAt
        }
    }

    /// The container child ends with a crash: counted before its supervisor decides the restart.
    func crashed(_ failure: String) {
        entry.withLock {
            $0.crashes += 1
            $0.lastFailure = failure
        }
    }

    /// A crash-looping recorder ran stably: the loop is over (reported once).
    func recoverIfLooping() {
        let restarts: Int? = entry.withLock { entry in
            guard entry.crashLooping else { return nil }
            defer { entry.crashLooping = false; entry.crashes = 0 }
            return entry.crashes
        }
        if let restarts { record(.recovered(restarts: restarts)) }
    }

    /// An event of the device's supervisor: its container child's restarts and crash loop.
    func observe(_ event: SupervisionEvent) {
        guard event.child == DeviceActor<C>.Child.container.rawValue else { return }
        if let delay = event.kind.restartDelay {
            let now = clock.now
            let count = entry.withLock {
                $0.state = delay > .zero ? ($0.crashLooping ? .crashLooping : .backingOff) : .inspecting
                $0.retryAt = delay > .zero ? now.advanced(by: delay) : nil
                $0.lastChange = now
                return $0.crashes
            }
            record(.restarting(after: delay, restartCount: count))
        } else if let intensity = event.kind.intensity, event.kind.retryInterval != nil {
            entry.withLock { $0.crashLooping = true }
            record(.crashLooping(restarts: intensity.maxRestarts + 1, within: intensity.period, longestWait: longestWait))
        }
    }

    /// Logs, counts and publishes one report.
    func record(_ report: RecorderReport) {
        let now = clock.now
        entry.withLock {
            $0.lastChange = now
            switch report {
            case .engineError(let message): $0.lastFailure = "container engine: \(message)"
            case .stopping(_, let reason): $0.lastStop = reason
            case .adopted, .created, .started, .recovered, .restarting, .crashLooping: break
            }
        }
        log(report)
        metrics.record(report, service: service, device: deviceID)
        events?.emit(.recorder(report, deviceID: deviceID, service: service))
        if case .crashLooping(let restarts, let window, let longest) = report {
            publishCrashLoop("crash-looping: \(restarts) restarts within \(window); restarted with waits growing to "
                + "\(longest) until it runs stably; an operator's restart tries at once")
        }
        continuation?.yield(report)
    }

    private func log(_ report: RecorderReport) {
        switch report {
        case .adopted(let id): logger.info("recorder adopted", metadata: ["device.id": "\(deviceID)", "container.id": "\(id)"])
        case .created(let id): logger.info("recorder created", metadata: ["device.id": "\(deviceID)", "container.id": "\(id)"])
        case .started(let id): logger.info("recorder running", metadata: ["device.id": "\(deviceID)", "container.id": "\(id)"])
        case .restarting(let delay, let count) where delay == .zero:
            logger.warning("recorder down; restarting at once", metadata: ["device.id": "\(deviceID)", "restarts": "\(count)"])
        case .restarting(let delay, let count):
            logger.warning("recorder down; restarting after a backoff", metadata: [
                "device.id": "\(deviceID)", "delay": "\(delay)", "restarts": "\(count)",
            ])
        case .crashLooping(let restarts, let window, let longest):
            logger.error("recorder crash-looping; restarted along its backoff until it runs stably", metadata: [
                "device.id": "\(deviceID)", "restarts": "\(restarts)", "window": "\(window)", "longest.wait": "\(longest)",
            ])
        case .recovered(let restarts):
            logger.notice("recorder recovered: running stably again", metadata: ["device.id": "\(deviceID)", "restarts": "\(restarts)"])
        case .stopping(let id, let reason):
            logger.info("stopping the container", metadata: [
                "device.id": "\(deviceID)", "container.id": "\(id)", "reason": "\(reason)", "service": "\(service)",
            ])
        case .engineError(let message):
            logger.warning("container engine error; retrying after a backoff",
                           metadata: ["device.id": "\(deviceID)", "error": "\(message)"])
        }
    }

    /// The recorder is crash-looping: its status key says so (for an hour, or until a
    /// container speaks for itself), since the recorder cannot.
    private func publishCrashLoop(_ details: String) {
        guard service == "recorder", let redis else { return }
        let text = RecorderStatusProxy.text(RecorderStatusProxy.payload(
            deviceID: deviceID, containerID: nil, activity: "crash_looping", healthy: false, details: details, now: Date()))
        let key = "silvasonic:status:\(deviceID)", deviceID = deviceID
        let logger = logger
        Task {
            do {
                try await redis.set(key, text, expiresInSeconds: 3600)
                try await redis.publish(text, to: "silvasonic:status")
            } catch {
                // Redis is down: the crash loop stays in this log, /status and the metrics.
                logger.warning("crash-looping status not published", metadata: ["device.id": "\(deviceID)", "error": "\(error)"])
            }
        }
    }
}
