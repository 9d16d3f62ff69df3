public import Supervision

/// One device's recorder container over its life, as a pure state machine: facts in
/// (`desired`, `found`, `created`, `died`, `timerFired`, ...), commands out (`create`, `start`,
/// `stop`, `scheduleTimer`, ...). The DeviceActor carries the commands out and reports back;
/// nothing here reads a clock or touches Podman, so every rule is tested on a manual clock.
///
/// The rules (contract §3 and its "Do better" notes):
/// - At start, and after every reconnect to Podman, the actor looks for the container first
///   (``Command/inspect``): a running one whose config hash matches is adopted untouched; a
///   stopped one with a matching hash is started again; one with another hash is stopped and
///   removed before its replacement is created.
/// - A crash waits out an exponential backoff with jitter before the container is started
///   again. The container keeps Podman's `on-failure` restart policy, which restarts it at
///   once while the controller is away (data capture first); when Podman restarts it during
///   the backoff, that restart is adopted instead of fighting it. Both kinds count towards the
///   restart intensity; past it the device is ``State/failed`` and left alone until its
///   desired state changes or an operator resets it.
/// - A lost heartbeat restarts the container (stop, then start after the backoff); a degraded
///   report does not reach this machine at all.
/// - Errors of the engine itself (unreachable, a failed create) retry on the same backoff and
///   never count as the recorder's crashes.
public struct RecorderLifecycle<Instant: InstantProtocol<Duration>>: Sendable {
    /// Where the recorder stands.
    public enum State: Sendable, Equatable {
        /// Nothing is wanted and nothing is known to run.
        case idle
        /// Asking the engine for an existing container. Can go to: running, starting,
        /// stopping, creating, idle.
        case inspecting
        /// A create is in flight. Can go to: starting, backingOff.
        case creating
        /// A start is in flight. Can go to: running, backingOff.
        case starting(containerID: String)
        /// Recording. Can go to: backingOff (died), stopping (unwanted, replaced, heartbeat lost).
        case running(containerID: String, since: Instant)
        /// Waiting before the next attempt. Can go to: starting, creating, running (Podman's
        /// own restart), idle.
        case backingOff(containerID: String?, until: Instant)
        /// A stop (and remove) is in flight. Can go to: idle, creating, backingOff.
        case stopping(containerID: String, then: AfterStop)
        /// Gave up after too many restarts. Can go to: inspecting (reset or re-desired), idle.
        case failed(reason: String)
    }

    /// What follows a stop.
    public enum AfterStop: Sendable, Equatable {
        /// Nothing: the recorder is no longer wanted.
        case remain
        /// Create the container anew (its spec changed).
        case recreate
        /// Start it again after the backoff (its heartbeat was lost).
        case restart
    }

    /// What the actor does next.
    public enum Command: Sendable, Equatable {
        /// Look up the device's container by name and report ``found(_:now:)``.
        case inspect
        /// Create the container from the current spec and report ``created(containerID:now:)``.
        case create
        case start(containerID: String)
        /// Stop gracefully, then remove, and report ``stopped(now:)``.
        case stopAndRemove(containerID: String)
        /// Call ``timerFired(now:)`` at this instant (replacing any timer set before).
        case scheduleTimer(at: Instant)
        case cancelTimer
        /// Report something an operator should see.
        case report(Report)
    }

    /// Lifecycle news for logs, metrics and events.
    public enum Report: Sendable, Equatable {
        case adopted(containerID: String)
        case created(containerID: String)
        case started(containerID: String)
        case restarting(after: Duration, restartCount: Int)
        case gaveUp(restarts: Int, within: Duration)
        case engineError(String)
    }

    /// An existing container the engine reported.
    public struct Existing: Sendable, Equatable {
        public var containerID: String
        public var configHash: String?
        public var running: Bool

        public init(containerID: String, configHash: String?, running: Bool) {
            self.containerID = containerID
            self.configHash = configHash
            self.running = running
        }
    }

    public private(set) var state: State = .idle
    /// Whether a recorder is wanted, and the hash of the spec it should have.
    public private(set) var wantedHash: String?
    private var window: RestartWindow<Instant>
    private let backoff: BackoffPolicy
    private var attempt = 0
    private var engineAttempt = 0
    /// How long the recorder had run when its heartbeat was lost.
    private var uptimeBeforeStop: Duration = .zero
    /// Whether the engine was asked at least once: until then even "no recorder" means looking,
    /// so a container left by an earlier controller is found and stopped.
    private var inspected = false
    /// Restarts of the recorder (crashes and lost heartbeats) since it was last created.
    public private(set) var restartCount = 0

    public init(intensity: RestartIntensity = RestartIntensity(maxRestarts: 5, within: .seconds(300)),
                backoff: BackoffPolicy = BackoffPolicy(initial: .seconds(1), maximum: .seconds(60))) {
        self.window = RestartWindow(intensity: intensity)
        self.backoff = backoff
    }

    // MARK: Facts

    /// The desired state changed (or was re-read): a recorder with this spec hash, or none.
    public mutating func desired(_ hash: String?, now: Instant) -> [Command] {
        let previous = wantedHash
        wantedHash = hash
        switch state {
        case .idle:
            guard hash != nil || !inspected else { return [] }
            state = .inspecting
            return [.inspect]
        case .failed:
            guard hash != previous else { return [] }
            if hash == nil { state = .idle; return [] }
            resetHistory()
            state = .inspecting
            return [.inspect]
        case .running(let id, _):
            if hash == nil { state = .stopping(containerID: id, then: .remain); return [.stopAndRemove(containerID: id)] }
            if hash != previous { state = .stopping(containerID: id, then: .recreate); return [.stopAndRemove(containerID: id)] }
            return []
        case .backingOff(let id, _):
            guard hash == nil else { return [] }
            if let id { state = .stopping(containerID: id, then: .remain); return [.cancelTimer, .stopAndRemove(containerID: id)] }
            state = .idle
            return [.cancelTimer]
        case .inspecting, .creating, .starting, .stopping:
            // Re-checked when the operation in flight reports back.
            return []
        }
    }

    /// The engine reported the device's container (or that there is none).
    public mutating func found(_ existing: Existing?, now: Instant) -> [Command] {
        guard case .inspecting = state else { return [] }
        inspected = true
        guard let wanted = wantedHash else {
            guard let existing else { state = .idle; return [] }
            state = .stopping(containerID: existing.containerID, then: .remain)
            return [.stopAndRemove(containerID: existing.containerID)]
        }
        guard let existing else {
            state = .creating
            return [.create]
        }
        guard existing.configHash == wanted else {
            state = .stopping(containerID: existing.containerID, then: .recreate)
            return [.stopAndRemove(containerID: existing.containerID)]
        }
        if existing.running {
            state = .running(containerID: existing.containerID, since: now)
            return [.report(.adopted(containerID: existing.containerID))]
        }
        state = .starting(containerID: existing.containerID)
        return [.start(containerID: existing.containerID)]
    }

    /// The create succeeded.
    public mutating func created(containerID: String, now: Instant) -> [Command] {
        guard case .creating = state else { return [] }
        engineAttempt = 0
        restartCount = 0
        state = .starting(containerID: containerID)
        return [.report(.created(containerID: containerID)), .start(containerID: containerID)]
    }

    /// The container runs: after our start, or after Podman's own restart during a backoff.
    public mutating func started(containerID: String, now: Instant) -> [Command] {
        let cancel: [Command]
        switch state {
        case .starting(let id) where id == containerID: cancel = []
        case .backingOff(let id, _) where id == containerID: cancel = [.cancelTimer]
        default: return []
        }
        engineAttempt = 0
        guard wantedHash != nil else {
            state = .stopping(containerID: containerID, then: .remain)
            return cancel + [.stopAndRemove(containerID: containerID)]
        }
        state = .running(containerID: containerID, since: now)
        return cancel + [.report(.started(containerID: containerID))]
    }

    /// Our own start call returned. Usually the container now runs; but the engine's events
    /// may have come first (the actor takes them while it waits for the call): a `start` event
    /// has then moved it to running already, and a `died` event to a backoff — a container that
    /// crashed at once is not running, however the call ended. So only a start still in flight
    /// becomes running here.
    public mutating func startReturned(containerID: String, now: Instant) -> [Command] {
        guard case .starting(let id) = state, id == containerID else { return [] }
        return started(containerID: containerID, now: now)
    }

    /// The container's main process exited — while running, or while our start of it was in
    /// flight (it crashed at once): both count as a crash.
    public mutating func died(containerID: String, exitCode: Int, now: Instant) -> [Command] {
        switch state {
        case .running(let id, let since) where id == containerID:
            return restart(containerID: id, uptime: since.duration(to: now), now: now)
        case .starting(let id) where id == containerID:
            return restart(containerID: id, uptime: .zero, now: now)
        default:
            return []
        }
    }

    /// The recorder's heartbeat was lost (missing or stale past the threshold, several checks
    /// in a row, after the start-up grace).
    public mutating func heartbeatLost(now: Instant) -> [Command] {
        guard case .running(let id, let since) = state else { return [] }
        uptimeBeforeStop = since.duration(to: now)
        state = .stopping(containerID: id, then: .restart)
        return [.stopAndRemove(containerID: id)]
    }

    /// An operator asked for a restart of the running container: stopped and removed, then
    /// created anew at once. Not a crash: it counts against no restart limit.
    public mutating func restartRequested(now: Instant) -> [Command] {
        guard case .running(let id, _) = state else { return [] }
        state = .stopping(containerID: id, then: .recreate)
        return [.stopAndRemove(containerID: id)]
    }

    /// The stop (and remove) finished.
    public mutating func stopped(now: Instant) -> [Command] {
        guard case .stopping(_, let then) = state else { return [] }
        switch then {
        case .remain:
            if wantedHash != nil { state = .inspecting; return [.inspect] }
            state = .idle
            return []
        case .recreate:
            if wantedHash == nil { state = .idle; return [] }
            state = .creating
            return [.create]
        case .restart:
            // The container was removed with the stop: after the backoff it is created anew.
            return restart(containerID: nil, uptime: uptimeBeforeStop, now: now)
        }
    }

    /// A create, start or stop failed in the engine.
    public mutating func engineFailed(_ message: String, now: Instant) -> [Command] {
        let containerID: String?
        switch state {
        case .creating, .inspecting: containerID = nil
        case .starting(let id): containerID = id
        case .stopping(let id, _): containerID = id
        default: return []
        }
        engineAttempt += 1
        let delay = backoff.delay(forAttempt: engineAttempt, randomUnit: 0.5)
        let until = now.advanced(by: delay)
        state = .backingOff(containerID: containerID, until: until)
        return [.report(.engineError(message)), .scheduleTimer(at: until)]
    }

    /// The timer set by ``Command/scheduleTimer(at:)`` fired.
    public mutating func timerFired(now: Instant) -> [Command] {
        guard case .backingOff(let id, let until) = state, now >= until else { return [] }
        guard wantedHash != nil else {
            if let id { state = .stopping(containerID: id, then: .remain); return [.stopAndRemove(containerID: id)] }
            state = .idle
            return []
        }
        // Look again before acting: the container may have been removed, replaced or restarted.
        state = .inspecting
        return [.inspect]
    }

    /// The engine's connection came back: whatever happened meanwhile, look again.
    public mutating func engineReconnected(now: Instant) -> [Command] {
        switch state {
        case .running, .starting, .creating, .inspecting:
            state = .inspecting
            return [.inspect]
        default:
            return []
        }
    }

    /// An operator asked for a fresh start of a failed (or any) recorder.
    public mutating func reset(now: Instant) -> [Command] {
        resetHistory()
        guard wantedHash != nil else { return [] }
        if case .running(let id, _) = state {
            state = .stopping(containerID: id, then: .recreate)
            return [.stopAndRemove(containerID: id)]
        }
        state = .inspecting
        return [.cancelTimer, .inspect]
    }

    // MARK: Rules

    private mutating func restart(containerID: String?, uptime: Duration, now: Instant) -> [Command] {
        restartCount += 1
        guard window.recordRestart(at: now) else {
            state = .failed(reason: "\(window.intensity.maxRestarts + 1) restarts within \(window.intensity.period)")
            return [.report(.gaveUp(restarts: window.intensity.maxRestarts + 1, within: window.intensity.period))]
        }
        attempt = backoff.nextAttempt(after: attempt, uptime: uptime)
        let delay = backoff.delay(forAttempt: attempt, randomUnit: 0.5)
        let until = now.advanced(by: delay)
        state = .backingOff(containerID: containerID, until: until)
        return [.report(.restarting(after: delay, restartCount: restartCount)), .scheduleTimer(at: until)]
    }

    private mutating func resetHistory() {
        window.reset()
        attempt = 0
        engineAttempt = 0
        restartCount = 0
    }
}
