package import Supervision

/// One device's decisions, as a pure value: what its DeviceActor does about each fact — a new
/// desire, an event of its container, a heartbeat verdict, a timer, the engine's reconnect, an
/// operator's request, and each step of its container child. Every input is a past-tense fact;
/// every output a ``Command`` the actor carries out. No clock, no engine, no actor: its tests
/// read as timelines and run in microseconds.
///
/// What it leaves to others: which container to adopt, start, replace or create is
/// ``RecorderRules``'; which deaths end a run is ``ContainerWatch``'s (kept here for the
/// watched container); restarting after a crash — at once, then a backoff growing to its cap,
/// the crash-looping label — is the `Supervision` library's, to which the container child throws
/// the crash that an ``RunEnd`` ends its run with.
///
/// Phases (``phase``), and what moves between them:
/// ```
/// down              no container child runs (before the first; after a crash, while the library
///                   waits its backoff; stopped by hand)        → bringingUp: runBegan
/// bringingUp        the child looks the container up, creates, starts, or removes unwanted ones
///                   → running: running · idle: idled · waitingForEngine: engineFailed · down: runEnded
/// waitingForEngine  engine calls failed; the child waits the engine's backoff, never a crash
///                   → bringingUp: engineWaitOver · down: runEnded
/// running           the wanted container runs, watched          → down: runEnded
/// idle              nothing wanted; the unwanted containers are gone → down: runEnded
/// ```
package struct DeviceMachine: Sendable {
    /// Where the device's container child stands.
    package enum Phase: Sendable, Equatable {
        case down
        case bringingUp
        /// Waiting out the engine's backoff after `attempt` failed calls in a row.
        case waitingForEngine(attempt: Int)
        case running(containerID: String)
        case idle
    }

    /// What the actor does.
    package enum Command: Sendable, Equatable {
        /// Stop and start the device's children by hand: not a crash, and no backoff is waited;
        /// the new container child acts on the desire as it is then.
        case restartChildren
        /// An operator's restart of the running container: the children stopped, the container
        /// stopped and removed (reason: operator restart), the children started again.
        case restartContainer(containerID: String)
        /// The watched container's run is over: the container child ends it (a crash for the
        /// library, or a lost heartbeat: the container is stopped first).
        case endRun(RunEnd)
        /// After ``ContainerWatch/engineGrace`` without the engine's word on a death, look at the
        /// container and report ``DeviceMachine/graceElapsed(containerID:running:)``.
        case startGraceTimer(containerID: String)
        case cancelGraceTimer
        /// After a stable run (the backoff's reset) of a crash-looping recorder, report
        /// ``DeviceMachine/stableRunElapsed()``.
        case startStableTimer
        case cancelStableTimer
        /// The crash-looping recorder ran stably: the label ends (said once).
        case recovered
    }

    /// How a watched container's run ended.
    package enum RunEnd: Sendable, Equatable {
        /// The engine is done with it (`nil`: no exit code was seen).
        case died(containerID: String, exitCode: Int?)
        /// No heartbeat and no progress in its workspace: the child stops it, then throws.
        case heartbeatLost(containerID: String)
    }

    /// The recorder to run (`nil`: none), and why none.
    package private(set) var desired: Tier2Spec?
    package private(set) var idleReason: IdleReason = .offline
    /// Whether any desire was given: the first one is read by the first container child.
    private var desireKnown = false
    package private(set) var phase: Phase = .down
    /// The container the container child watches, and what its events meant so far.
    package private(set) var watched: String?
    private var watch: ContainerWatch?
    /// Failed engine calls in a row, until a container runs.
    private var engineFailures = 0

    /// A device with no desire yet and no container child running. (The engine's backoff is
    /// passed to ``engineFailed(backoff:randomUnit:)`` rather than kept: thousands of devices
    /// share one.)
    package init() {}

    /// Whether a recorder is wanted.
    package var isWanted: Bool { desired != nil }

    /// Whether the container child waits out the engine (for `status`).
    package var waitingForEngine: Bool {
        if case .waitingForEngine = phase { true } else { false }
    }

    // MARK: Facts from outside

    /// The reconciler's desire: a spec to run, or none `because` of a reason. The first is read
    /// by the first container child; a changed one (another hash, or none) starts the children
    /// over at once, skipping any backoff; the same one again changes nothing (a crash-looping
    /// recorder keeps its wait).
    package mutating func desire(_ spec: Tier2Spec?, because reason: IdleReason = .offline) -> [Command] {
        let before = desired?.labelledHash
        desired = spec
        if spec == nil { idleReason = reason }
        guard desireKnown else {
            desireKnown = true
            return []
        }
        return before == spec?.labelledHash ? [] : [.restartChildren]
    }

    /// An event of one of the device's containers; only the watched one's matter.
    package mutating func containerEvent(_ containerID: String, _ event: ContainerWatch.Event) -> [Command] {
        guard watched == containerID, var current = watch else { return [] }
        let verdict = current.observe(event)
        watch = current
        return carryOut(verdict, containerID)
    }

    /// The grace after a death passed without the engine's word; whether the container runs.
    package mutating func graceElapsed(containerID: String, running: Bool) -> [Command] {
        containerEvent(containerID, .noWord(running: running))
    }

    /// The heartbeat child judged `containerID` dead (no heartbeat, no workspace progress).
    package mutating func heartbeatLost(containerID: String) -> [Command] {
        guard watched == containerID else { return [] }
        return [.cancelGraceTimer, .endRun(.heartbeatLost(containerID: containerID))]
    }

    /// A crash-looping recorder ran for the backoff's reset.
    package mutating func stableRunElapsed() -> [Command] {
        guard case .running = phase else { return [] }
        return [.recovered]
    }

    /// Podman's event stream came back after an outage: events may have been missed, so a child
    /// that runs or brings a container up looks again, and one waiting out the engine need not
    /// wait longer. A crash's backoff (``Phase/down``) is kept.
    package mutating func engineReconnected() -> [Command] {
        switch phase {
        case .running, .bringingUp, .waitingForEngine: [.restartChildren]
        case .down, .idle: []
        }
    }

    /// An operator asked for a restart: a running container is replaced, a recorder waiting
    /// (a crash's backoff, the engine's) is tried at once. `nil`: nothing to restart.
    package mutating func restartRequested() -> [Command]? {
        guard desired != nil else { return nil }
        switch phase {
        case .running(let id): return [.restartContainer(containerID: id)]
        case .down, .waitingForEngine: return [.restartChildren]
        case .bringingUp, .idle: return nil
        }
    }

    // MARK: The container child's steps

    /// A container child's run begins: nothing of an earlier run is watched.
    package mutating func runBegan() -> [Command] {
        phase = .bringingUp
        engineFailures = 0
        watched = nil
        watch = nil
        return [.cancelGraceTimer, .cancelStableTimer]
    }

    /// From now on `containerID`'s events are judged afresh; `startedByController`: started
    /// through the API now (which resets Podman's count of its retries), not adopted.
    package mutating func watching(_ containerID: String, startedByController: Bool) -> [Command] {
        let policy = desired.map { ContainerWatch.RestartPolicy(name: $0.restartPolicyName, maxRetries: $0.restartMaxRetries) }
        watched = containerID
        watch = ContainerWatch(policy: policy ?? .never, startedByController: startedByController)
        return [.cancelGraceTimer]
    }

    /// The watched container runs; `crashLooping`: the recorder is labelled so, and a stable
    /// run is waited for to end the label.
    package mutating func running(_ containerID: String, crashLooping: Bool) -> [Command] {
        phase = .running(containerID: containerID)
        engineFailures = 0
        return crashLooping ? [.startStableTimer] : [.cancelStableTimer]
    }

    /// Nothing is wanted and the unwanted containers are gone.
    package mutating func idled() {
        phase = .idle
    }

    /// An engine call failed: how long the container child waits before it tries again, on
    /// `backoff` (``RecorderPolicy/engineBackoff``; `randomUnit` in `0..<1` for the jitter).
    /// Never a crash.
    package mutating func engineFailed(backoff: BackoffPolicy, randomUnit: Double = 0.5) -> Duration {
        engineFailures += 1
        phase = .waitingForEngine(attempt: engineFailures)
        return backoff.delay(forAttempt: engineFailures, randomUnit: randomUnit)
    }

    /// The engine's backoff was waited out: the child tries again (the failures still counted
    /// until a container runs).
    package mutating func engineWaitOver() {
        phase = .bringingUp
    }

    /// The container child's run ended (a crash, or stopped by hand or by shutdown).
    package mutating func runEnded() -> [Command] {
        phase = .down
        return [.cancelGraceTimer, .cancelStableTimer]
    }

    // MARK: Verdicts

    private mutating func carryOut(_ verdict: ContainerWatch.Verdict, _ containerID: String) -> [Command] {
        switch verdict {
        case .watching:
            return [.cancelGraceTimer]
        case .awaitingEngine, .restartedByEngine:
            return [.startGraceTimer(containerID: containerID)]
        case .ended(let code):
            return [.cancelGraceTimer, .endRun(.died(containerID: containerID, exitCode: code))]
        }
    }
}
