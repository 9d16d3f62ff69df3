public import ControllerCore
import Foundation
public import Logging
public import SilvasonicPodman

/// Carries out one device's ``RecorderLifecycle`` against a container engine: the container
/// child of a DeviceActor. Every decision is the lifecycle's; this actor only runs commands
/// (create, start, stop, timers) and feeds their outcomes back as facts.
///
/// Actor methods re-enter while they await the engine; the lifecycle ignores facts that no
/// longer fit its state, so a late answer can never undo a newer decision.
public actor RecorderActor<C: Clock<Duration>> {
    public typealias Lifecycle = RecorderLifecycle<C.Instant>

    /// The stable device id.
    public nonisolated let deviceID: String
    private let engine: any ContainerEngine
    private let clock: C
    private let owner: String
    /// The `io.silvasonic.service` label of the container (`recorder`, or a worker's name).
    private let service: String
    private let logger: Logger
    private var lifecycle: Lifecycle
    private var spec: Tier2Spec?
    private var timer: Task<Void, Never>?
    private let companionSettings: CompanionSettings
    private let logCounters: LogCounters
    private var companions: RecorderCompanions?
    private let reportsContinuation: AsyncStream<Lifecycle.Report>.Continuation
    /// Every report, in order: for the DeviceActor's status, metrics and tests.
    public nonisolated let reports: AsyncStream<Lifecycle.Report>

    public init(deviceID: String, engine: any ContainerEngine, clock: C, owner: String, lifecycle: Lifecycle, logger: Logger,
                companions: CompanionSettings = CompanionSettings(redis: nil), logCounters: LogCounters = LogCounters(),
                service: String = "recorder") {
        self.deviceID = deviceID
        self.service = service
        self.companionSettings = companions
        self.logCounters = logCounters
        self.engine = engine
        self.clock = clock
        self.owner = owner
        self.lifecycle = lifecycle
        var logger = logger
        logger[metadataKey: "device.id"] = .string(deviceID)
        self.logger = logger
        (reports, reportsContinuation) = AsyncStream.makeStream()
    }

    /// Where the lifecycle stands.
    public var state: Lifecycle.State { lifecycle.state }

    /// What `/status` shows of this actor.
    public struct Status: Sendable {
        public var state: Lifecycle.State
        /// Restarts after a crash or a lost heartbeat since the actor was made.
        public var restarts: Int
        public var lastFailure: String?
        /// Since the last report (created, started, adopted, restarting, crash-looping,
        /// recovered, engine error).
        public var since: Duration
        public var service: String
        /// How long until the next attempt, while waiting out a backoff or crash-looping.
        public var nextRetry: Duration?
        /// Why its container was last stopped, if it was.
        public var lastStop: String?
    }

    private var restartsSoFar = 0
    private var lastFailure: String?
    private var lastStop: StopReason?
    private lazy var lastChange = clock.now

    /// The recorder is crash-looping: its status says so (for an hour, or until a container
    /// speaks for itself), since the recorder cannot.
    private func publishCrashLoop(_ details: String) {
        guard service == "recorder", let redis = companionSettings.redis else { return }
        let text = RecorderStatusProxy.text(RecorderStatusProxy.payload(
            deviceID: deviceID, containerID: nil, activity: "crash_looping", healthy: false, details: details, now: Date()))
        let key = "silvasonic:status:\(deviceID)"
        let logger = logger
        Task {
            do {
                try await redis.set(key, text, expiresInSeconds: 3600)
                try await redis.publish(text, to: "silvasonic:status")
            } catch {
                // Redis is down: the crash loop stays in this log, /status and the metrics.
                logger.warning("crash-looping status not published", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Its state, restarts, last failure and how long since its last change.
    public var status: Status {
        let now = clock.now
        return Status(state: lifecycle.state, restarts: restartsSoFar, lastFailure: lastFailure, since: lastChange.duration(to: now),
                      service: service, nextRetry: lifecycle.waitingUntil.map { max(.zero, now.duration(to: $0.until)) },
                      lastStop: lastStop.map { "\($0)" })
    }

    /// The recorder this device should run (`nil`: none, `because` of this).
    public func setDesired(_ spec: Tier2Spec?, because reason: IdleReason = .offline) async {
        self.spec = spec
        await run(lifecycle.desired(spec?.labelledHash, because: reason, now: clock.now))
    }

    /// A Podman event about this device's container.
    public func handle(_ event: ContainerEvent) async {
        switch event.action {
        case .died(let code):
            // The watch and the follower of that run are over; a restart of it gets new ones.
            if companions?.containerID == event.containerID {
                companions?.cancel()
                companions = nil
            }
            await run(lifecycle.died(containerID: event.containerID, exitCode: code, now: clock.now))
        case .start: await run(lifecycle.started(containerID: event.containerID, now: clock.now))
        default: break
        }
    }

    /// The event stream resubscribed after an outage of Podman.
    public func engineReconnected() async {
        await run(lifecycle.engineReconnected(now: clock.now))
    }

    /// An operator asked for a restart: a running container is recreated, one waiting out a
    /// backoff (or crash-looping) is tried at once; `false` when there is nothing to restart.
    public func restartRequested() async -> Bool {
        let commands = lifecycle.restartRequested(now: clock.now)
        guard !commands.isEmpty else { return false }
        logger.info("recorder restart requested by an operator")
        await run(commands)
        return true
    }

    /// The heartbeat watch judged the recorder dead.
    public func heartbeatLost() async {
        await run(lifecycle.heartbeatLost(now: clock.now))
    }

    /// An operator asked for a fresh start.
    public func reset() async {
        await run(lifecycle.reset(now: clock.now))
    }

    /// Stops the timer and the report stream (the device is going away; its container is
    /// handled by ``setDesired(_:)`` before this, or left running for a hand-over).
    public func shutdown() {
        timer?.cancel()
        timer = nil
        companions?.cancel()
        companions = nil
        reportsContinuation.finish()
    }

    private func timerFired() async {
        timer = nil
        await run(lifecycle.timerFired(now: clock.now))
    }

    // MARK: Carrying out commands

    private func run(_ commands: [Lifecycle.Command]) async {
        for command in commands {
            await perform(command)
        }
        syncCompanions()
    }

    /// One heartbeat watch and one log follower per running container, never two; gone when it
    /// stops running (kept while the actor merely looks it up again).
    private func syncCompanions() {
        switch lifecycle.state {
        case .running(let id, _):
            guard companions?.containerID != id else { return }
            companions?.cancel()
            let name = spec?.name ?? id
            companions = RecorderCompanions(
                containerID: id, name: name, labels: spec?.labels ?? [:], deviceID: deviceID,
                workspace: spec?.controllerWorkspace, segmentDuration: spec?.segmentDuration ?? .seconds(10), engine: engine,
                clock: clock, settings: companionSettings, counters: logCounters, logger: logger,
                heartbeatLost: { [weak self] in await self?.heartbeatLost() })
        case .inspecting:
            return
        default:
            companions?.cancel()
            companions = nil
        }
    }

    private func perform(_ command: Lifecycle.Command) async {
        switch command {
        case .inspect:
            do {
                let existing = try await findContainer()
                await run(lifecycle.found(existing, now: clock.now))
            } catch {
                await run(lifecycle.engineFailed("looking up the container: \(error)", now: clock.now))
            }
        case .create:
            guard let spec else { return }
            do {
                for mount in spec.mounts where !mount.readOnly {
                    try FileManager.default.createDirectory(atPath: mount.controllerSource ?? mount.source,
                                                            withIntermediateDirectories: true)
                }
                let id = try await engine.create(spec.podmanSpec)
                await run(lifecycle.created(containerID: id, now: clock.now))
            } catch {
                await run(lifecycle.engineFailed("creating \(spec.name): \(error)", now: clock.now))
            }
        case .start(let id):
            do {
                try await engine.start(id)
                // Events about it may have been taken meanwhile (a crash at once): see `startReturned`.
                await run(lifecycle.startReturned(containerID: id, now: clock.now))
            } catch {
                await run(lifecycle.engineFailed("starting \(id): \(error)", now: clock.now))
            }
        case .stopAndRemove(let id, let reason):
            await perform(.report(.stopping(containerID: id, reason: reason)))
            do {
                try await engine.stop(id, timeoutSeconds: 10)
                try await engine.remove(id, force: true)
                await run(lifecycle.stopped(now: clock.now))
            } catch let error as PodmanError where error.code == .notFound {
                await run(lifecycle.stopped(now: clock.now))
            } catch {
                await run(lifecycle.engineFailed("stopping \(id): \(error)", now: clock.now))
            }
        case .scheduleTimer(let deadline):
            timer?.cancel()
            let clock = self.clock
            timer = Task { [weak self] in
                do { try await clock.sleep(until: deadline, tolerance: nil) } catch { return }
                await self?.timerFired()
            }
        case .cancelTimer:
            timer?.cancel()
            timer = nil
        case .report(let report):
            log(report)
            reportsContinuation.yield(report)
        }
    }

    /// The device's recorder container: the one with the spec's name, else any other recorder
    /// this controller made for the device (its profile changed since).
    private func findContainer() async throws -> Lifecycle.Existing? {
        let found = try await engine.list(labels: ["io.silvasonic.owner": owner, "io.silvasonic.service": service,
                                                   "io.silvasonic.device_id": deviceID], statuses: [])
        guard let match = found.first(where: { $0.name == spec?.name }) ?? found.first else { return nil }
        return Lifecycle.Existing(containerID: match.id, configHash: match.labels[Tier2Spec.configHashLabel],
                                  running: match.state == "running")
    }

    private func log(_ report: Lifecycle.Report) {
        lastChange = clock.now
        switch report {
        case .restarting(_, let count):
            restartsSoFar += 1
            lastFailure = "down; restart \(count) within the window"
        case .crashLooping(let restarts, let window, let every):
            lastFailure = "crash-looping: \(restarts) restarts within \(window); retried every \(every)"
            publishCrashLoop("crash-looping: \(restarts) restarts within \(window); retried every \(every) until it runs "
                + "stably; an operator's restart tries at once")
        case .engineError(let message):
            lastFailure = "container engine: \(message)"
        case .stopping(_, let reason):
            lastStop = reason
        case .adopted, .created, .started, .recovered:
            break
        }
        switch report {
        case .adopted(let id): logger.info("recorder adopted", metadata: ["container.id": "\(id)"])
        case .created(let id): logger.info("recorder created", metadata: ["container.id": "\(id)"])
        case .started(let id): logger.info("recorder running", metadata: ["container.id": "\(id)"])
        case .restarting(let delay, let count) where delay == .zero:
            logger.warning("recorder down; restarting at once", metadata: ["restarts": "\(count)"])
        case .restarting(let delay, let count):
            logger.warning("recorder down; restarting after a backoff", metadata: ["delay": "\(delay)", "restarts": "\(count)"])
        case .crashLooping(let restarts, let window, let every):
            logger.error("recorder crash-looping; retrying at the backoff's cap until it runs stably", metadata: [
                "restarts": "\(restarts)", "window": "\(window)", "retry.every": "\(every)",
            ])
        case .recovered(let restarts):
            logger.notice("recorder recovered: running stably again", metadata: ["restarts": "\(restarts)"])
        case .stopping(let id, let reason):
            logger.info("stopping the container", metadata: ["container.id": "\(id)", "reason": "\(reason)", "service": "\(service)"])
        case .engineError(let message):
            logger.warning("container engine error; retrying after a backoff", metadata: ["error": "\(message)"])
        }
    }
}
