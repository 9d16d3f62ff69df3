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
/// - Data capture first: a wanted recorder is never given up. The first restart after a crash
///   is immediate (the container is looked up and started again at once, whatever ended it);
///   repeated crashes back off exponentially with jitter up to the backoff's cap, and the
///   backoff starts over after a stable run (the policy's `resetAfter`).
/// - The container keeps Podman's `on-failure` restart policy, which restarts it at once
///   while the controller is away. Such a restart is adopted, never fought, and a burst of
///   them counts as one crash: a container that Podman (not this machine) started again and
///   that dies again before a stable run adds no restart to the count or the backoff.
/// - Past the restart intensity the recorder is ``State/crashLooping(containerID:until:)``:
///   it keeps being retried at the backoff's cap, and once a retry runs stably it is
///   ``Report/recovered(restarts:)`` by itself. An operator's restart skips the wait, and so
///   does a changed spec (which may be the fix).
/// - A lost heartbeat restarts the container (stop, then start, counted as a crash); a
///   degraded report does not reach this machine at all.
/// - Errors of the engine itself (unreachable, a failed create) retry on their own backoff
///   (capped at 30 s at most) and never count as the recorder's crashes.
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
        /// Recording. Can go to: inspecting (died: the immediate restart), backingOff,
        /// crashLooping (died again), stopping (unwanted, replaced, heartbeat lost).
        case running(containerID: String, since: Instant)
        /// Waiting before the next attempt. Can go to: inspecting, running (Podman's own
        /// restart), stopping, idle.
        case backingOff(containerID: String?, until: Instant)
        /// Past the restart intensity: waiting the backoff's cap before the next attempt, and
        /// so on until a retry runs stably. Can go to what backingOff can.
        case crashLooping(containerID: String?, until: Instant)
        /// A stop (and remove) is in flight. Can go to: idle, inspecting, creating, backingOff.
        case stopping(containerID: String, then: AfterStop)
    }

    /// What follows a stop.
    public enum AfterStop: Sendable, Equatable {
        /// Nothing: the recorder is no longer wanted.
        case remain
        /// Create the container anew (its spec changed).
        case recreate
        /// Create it again as a crash restart (its heartbeat was lost).
        case restart
    }

    /// What the actor does next.
    public enum Command: Sendable, Equatable {
        /// Look up the device's container by name and report ``found(_:now:)``.
        case inspect
        /// Create the container from the current spec and report ``created(containerID:now:)``.
        case create
        case start(containerID: String)
        /// Stop gracefully, then remove, and report ``stopped(now:)``; log the reason.
        case stopAndRemove(containerID: String, reason: StopReason)
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
        /// The recorder died (or lost its heartbeat) and is started again after this delay
        /// (zero: at once); `restartCount` counts crashes since it was last created.
        case restarting(after: Duration, restartCount: Int)
        /// More than the intensity's restarts within its period: from now on retried every
        /// `retryEvery` (the backoff's cap) until a retry runs stably. Never given up.
        case crashLooping(restarts: Int, within: Duration, retryEvery: Duration)
        /// A crash-looping recorder ran stably again.
        case recovered(restarts: Int)
        /// The container is being stopped (and removed), for this reason.
        case stopping(containerID: String, reason: StopReason)
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
    /// Why none is wanted, while none is.
    public private(set) var unwantedBecause: IdleReason = .offline
    private var window: RestartWindow<Instant>
    private let backoff: BackoffPolicy
    private let engineBackoff: BackoffPolicy
    private var random: any RandomNumberGenerator & Sendable
    private var attempt = 0
    private var engineAttempt = 0
    /// How long the recorder had run when its heartbeat was lost.
    private var uptimeBeforeStop: Duration = .zero
    /// Whether the engine was asked at least once: until then even "no recorder" means looking,
    /// so a container left by an earlier controller is found and stopped.
    private var inspected = false
    /// Whether a crash restart is under way (looked up after a death), so that a container
    /// found running then was started again by the engine's own restart policy.
    private var recovering = false
    /// Whether the current run was started by the engine's own restart policy, not by us: its
    /// death belongs to the same burst as the crash before it.
    private var runStartedByEngine = false
    /// Restarts of the recorder (crashes and lost heartbeats) since it was last created.
    public private(set) var restartCount = 0
    /// Whether the recorder has passed its restart intensity and not yet run stably since.
    public private(set) var isCrashLooping = false

    /// - Parameters:
    ///   - intensity: restarts allowed within a period before the recorder counts as crash-looping.
    ///   - backoff: delays between restarts; its `maximum` is the crash-looping retry interval.
    ///     The controller's settings make the first restart immediate (`immediateFirstRestart`).
    ///   - random: the jitter's source.
    public init(intensity: RestartIntensity = RestartIntensity(maxRestarts: 5, within: .seconds(300)),
                backoff: BackoffPolicy = BackoffPolicy(initial: .seconds(1), maximum: .seconds(300), immediateFirstRestart: true),
                random: some RandomNumberGenerator & Sendable = SystemRandomNumberGenerator()) {
        self.window = RestartWindow(intensity: intensity)
        self.backoff = backoff
        self.random = random
        var engine = backoff
        engine.immediateFirstRestart = false
        engine.maximum = min(backoff.maximum, .seconds(30))
        self.engineBackoff = engine
    }

    /// When the recorder is waiting to be tried again: the container (if it still exists) and
    /// the instant of the next attempt.
    public var waitingUntil: (containerID: String?, until: Instant)? {
        switch state {
        case .backingOff(let id, let until), .crashLooping(let id, let until): (id, until)
        default: nil
        }
    }

    // MARK: Facts

    /// The desired state changed (or was re-read): a recorder with this spec hash, or none
    /// (`because`: why not, said when a container is stopped for it).
    public mutating func desired(_ hash: String?, because reason: IdleReason = .offline, now: Instant) -> [Command] {
        let previous = wantedHash
        wantedHash = hash
        if hash == nil { unwantedBecause = reason }
        let unwanted = StopReason.unwanted(reason)
        switch state {
        case .idle:
            guard hash != nil || !inspected else { return [] }
            state = .inspecting
            return [.inspect]
        case .running(let id, _):
            if hash == nil { state = .stopping(containerID: id, then: .remain); return [.stopAndRemove(containerID: id, reason: unwanted)] }
            if hash != previous {
                state = .stopping(containerID: id, then: .recreate)
                return [.stopAndRemove(containerID: id, reason: .configDrift)]
            }
            return []
        case .backingOff(let id, _), .crashLooping(let id, _):
            guard hash == nil else {
                // A changed spec may be the fix: tried at once, with a fresh history.
                guard hash != previous else { return [] }
                resetHistory()
                state = .inspecting
                return [.cancelTimer, .inspect]
            }
            if let id {
                state = .stopping(containerID: id, then: .remain)
                return [.cancelTimer, .stopAndRemove(containerID: id, reason: unwanted)]
            }
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
        let afterCrash = recovering
        recovering = false
        guard let wanted = wantedHash else {
            guard let existing else { state = .idle; return [] }
            state = .stopping(containerID: existing.containerID, then: .remain)
            return [.stopAndRemove(containerID: existing.containerID, reason: .unwanted(unwantedBecause))]
        }
        guard let existing else {
            state = .creating
            return [.create]
        }
        guard existing.configHash == wanted else {
            state = .stopping(containerID: existing.containerID, then: .recreate)
            return [.stopAndRemove(containerID: existing.containerID, reason: .configDrift)]
        }
        if existing.running {
            // Running again right after a crash: the engine's own restart policy started it.
            runStartedByEngine = afterCrash
            return becameRunning(existing.containerID, now: now, report: .adopted(containerID: existing.containerID))
        }
        state = .starting(containerID: existing.containerID)
        return [.start(containerID: existing.containerID)]
    }

    /// The create succeeded.
    public mutating func created(containerID: String, now: Instant) -> [Command] {
        guard case .creating = state else { return [] }
        engineAttempt = 0
        state = .starting(containerID: containerID)
        return [.report(.created(containerID: containerID)), .start(containerID: containerID)]
    }

    /// The container runs: after our start, or after Podman's own restart during a backoff.
    public mutating func started(containerID: String, now: Instant) -> [Command] {
        let cancel: [Command]
        switch state {
        case .starting(let id) where id == containerID:
            cancel = []
            runStartedByEngine = false
        case .backingOff(let id?, _) where id == containerID, .crashLooping(let id?, _) where id == containerID:
            cancel = [.cancelTimer]
            runStartedByEngine = true
        default: return []
        }
        engineAttempt = 0
        guard wantedHash != nil else {
            state = .stopping(containerID: containerID, then: .remain)
            return cancel + [.stopAndRemove(containerID: containerID, reason: .unwanted(unwantedBecause))]
        }
        return cancel + becameRunning(containerID, now: now, report: .started(containerID: containerID))
    }

    /// Enters running; a crash-looping recorder gets a timer at the end of a stable run, when
    /// it counts as recovered.
    private mutating func becameRunning(_ containerID: String, now: Instant, report: Report) -> [Command] {
        state = .running(containerID: containerID, since: now)
        guard isCrashLooping else { return [.report(report)] }
        return [.report(report), .scheduleTimer(at: now.advanced(by: backoff.resetAfter))]
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
            let uptime = since.duration(to: now)
            let cancel: [Command] = isCrashLooping ? [.cancelTimer] : []
            if runStartedByEngine, uptime < backoff.resetAfter {
                return cancel + retry(containerID: id, now: now)
            }
            return cancel + restart(containerID: id, uptime: uptime, now: now)
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
        runStartedByEngine = false
        state = .stopping(containerID: id, then: .restart)
        return (isCrashLooping ? [.cancelTimer] : []) + [.stopAndRemove(containerID: id, reason: .heartbeatLost)]
    }

    /// An operator asked for a restart: a running container is stopped and removed, then
    /// created anew at once; one waiting out a backoff (or crash-looping) is tried now. Not a
    /// crash: it counts against no restart limit. Empty when there is nothing to restart.
    public mutating func restartRequested(now: Instant) -> [Command] {
        switch state {
        case .running(let id, _):
            state = .stopping(containerID: id, then: .recreate)
            return (isCrashLooping ? [.cancelTimer] : []) + [.stopAndRemove(containerID: id, reason: .operatorRestart)]
        case .backingOff, .crashLooping:
            guard wantedHash != nil else { return [] }
            state = .inspecting
            return [.cancelTimer, .inspect]
        default:
            return []
        }
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
            // The container was removed with the stop: it is created anew, after the backoff.
            guard wantedHash != nil else { state = .idle; return [] }
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
        recovering = false
        let delay = engineBackoff.delay(forAttempt: engineAttempt, randomUnit: 0.5)
        let until = now.advanced(by: delay)
        state = .backingOff(containerID: containerID, until: until)
        return [.report(.engineError(message)), .scheduleTimer(at: until)]
    }

    /// The timer set by ``Command/scheduleTimer(at:)`` fired.
    public mutating func timerFired(now: Instant) -> [Command] {
        if case .running(_, let since) = state {
            // The stable-run timer of a crash-looping recorder.
            guard isCrashLooping, since.duration(to: now) >= backoff.resetAfter else { return [] }
            let restarts = restartCount
            resetHistory()
            return [.report(.recovered(restarts: restarts))]
        }
        guard let (id, until) = waitingUntil, now >= until else { return [] }
        guard wantedHash != nil else {
            if let id {
                state = .stopping(containerID: id, then: .remain)
                return [.stopAndRemove(containerID: id, reason: .unwanted(unwantedBecause))]
            }
            state = .idle
            return []
        }
        // Look again before acting: the container may have been removed, replaced or restarted.
        state = .inspecting
        recovering = true
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

    /// An operator asked for a fresh start of a crash-looping (or any) recorder: its restart
    /// history is forgotten and it is tried at once.
    public mutating func reset(now: Instant) -> [Command] {
        let wasCrashLooping = isCrashLooping
        resetHistory()
        guard wantedHash != nil else { return [] }
        switch state {
        case .running(let id, _):
            state = .stopping(containerID: id, then: .recreate)
            return (wasCrashLooping ? [.cancelTimer] : []) + [.stopAndRemove(containerID: id, reason: .operatorRestart)]
        case .idle, .backingOff, .crashLooping:
            state = .inspecting
            return [.cancelTimer, .inspect]
        case .inspecting, .creating, .starting, .stopping:
            // Under way already: the operation in flight reports back.
            return []
        }
    }

    // MARK: Rules

    /// A crash (a death, a lost heartbeat): counted, then retried after the backoff, or at the
    /// cap once past the intensity. Never given up.
    private mutating func restart(containerID: String?, uptime: Duration, now: Instant) -> [Command] {
        if uptime >= backoff.resetAfter, isCrashLooping {
            // It ran stably (its stable-run timer had not fired yet): the loop is over, its
            // history forgotten, as on recovery.
            isCrashLooping = false
            window.reset()
        }
        restartCount += 1
        attempt = backoff.nextAttempt(after: attempt, uptime: uptime)
        var loop: [Command] = []
        if !window.recordRestart(at: now), !isCrashLooping {
            isCrashLooping = true
            let intensity = window.intensity
            loop = [.report(.crashLooping(restarts: intensity.maxRestarts + 1, within: intensity.period,
                                          retryEvery: backoff.maximum))]
        }
        let delay = isCrashLooping ? backoff.maximum : backoff.delay(forAttempt: attempt, randomUnit: nextRandomUnit())
        return [.report(.restarting(after: delay, restartCount: restartCount))] + loop
            + wait(containerID: containerID, delay: delay, now: now)
    }

    /// A death in the same burst as the crash before it (the engine's own restart died again):
    /// not counted; tried again on the current attempt's delay.
    private mutating func retry(containerID: String, now: Instant) -> [Command] {
        let delay = isCrashLooping ? backoff.maximum : backoff.delay(forAttempt: max(attempt, 1), randomUnit: nextRandomUnit())
        return wait(containerID: containerID, delay: delay, now: now)
    }

    /// Looks the container up at once for a zero delay, else waits (backing off, or at the cap).
    private mutating func wait(containerID: String?, delay: Duration, now: Instant) -> [Command] {
        runStartedByEngine = false
        guard delay > .zero else {
            state = .inspecting
            recovering = true
            return [.inspect]
        }
        let until = now.advanced(by: delay)
        state = isCrashLooping
            ? .crashLooping(containerID: containerID, until: until) : .backingOff(containerID: containerID, until: until)
        return [.scheduleTimer(at: until)]
    }

    private mutating func nextRandomUnit() -> Double {
        backoff.jitter > 0 ? BackoffPolicy.randomUnit(using: &random) : 0.5
    }

    private mutating func resetHistory() {
        window.reset()
        attempt = 0
        engineAttempt = 0
        restartCount = 0
        isCrashLooping = false
    }
}
