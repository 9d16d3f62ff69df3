public import ControllerCore
import Foundation
public import Logging
public import SilvasonicPodman
public import Supervision
import SilvasonicRedis
import Synchronization

/// One microphone (or one singleton worker) and everything that runs for it: a rest-for-one
/// ``Supervisor`` over three children,
///
/// ```
/// DeviceActor(device)          rest_for_one, labelled crash-looping past the intensity, never given up
/// ├── container   adopt or create + start, then await the container's end; its death is the child's failure
/// ├── heartbeat   watches silvasonic:status:<id> (and the workspace while it is missing)
/// └── logs        follows the container's log → silvasonic:logs
/// ```
///
/// The supervising — immediate first restart, a backoff growing to its cap with jitter, the
/// crash-looping label past the intensity, the reset after a stable run — is the library's,
/// configured by ``RecorderPolicy``; a crash of the container restarts its watchers with it.
/// The container rules are ``RecorderRules``' pure values, and which deaths are crashes is
/// ``ContainerWatch``'s: a death Podman's own `on-failure` policy restarts is the engine's
/// business and ends no wait. What comes from outside (the desired state, an operator's restart,
/// the engine's reconnect) restarts the children by hand, which counts as no crash and skips any
/// backoff: the new container child reads the new desire and acts on it.
///
/// Data capture first: a wanted recorder is never given up (``IntensityPolicy/markCrashLooping``),
/// an unreachable engine is waited out inside the container child (never a crash), and no
/// number of crashes here restarts anything outside this actor.
public actor DeviceActor<C: Clock<Duration>> {
    /// The actor's children, in start order.
    package enum Child: String, Sendable, CaseIterable {
        case container, heartbeat, logs
    }

    /// The key in its ``DeviceSupervisor``: the device id, or the worker's service name.
    public nonisolated let key: String
    /// What happened to its recorder, readable without waiting on the actor.
    package nonisolated let journal: DeviceJournal<C>
    /// Its rest-for-one supervisor, for introspection.
    public nonisolated let supervisor: Supervisor<C>
    /// Every report, in order, when the tree keeps report streams (``DeviceJournal/reports``).
    package nonisolated var reports: AsyncStream<RecorderReport>? { journal.reports }

    /// What every device of its supervisor shares (engine, clock, policy, watch settings).
    private let environment: DeviceEnvironment<C>
    private nonisolated var engine: any ContainerEngine { environment.engine }
    private nonisolated var clock: C { environment.clock }
    private nonisolated var owner: String { environment.owner }
    private nonisolated var logger: Logger { environment.logger }
    private nonisolated var companions: CompanionSettings { environment.companions }
    private nonisolated var counters: LogCounters { environment.counters }
    private nonisolated var policy: RecorderPolicy { environment.policy }
    private let children: [Child]
    /// The recorder to run (`nil`: none), and why none.
    private var spec: Tier2Spec?
    private var idleReason: IdleReason = .offline
    private var desireSet = false
    /// The container the container child watches now, what its events meant so far, and where
    /// its ends are delivered.
    private var watched: Watched?
    /// While the engine decides about a death of the watched container: looks for itself after
    /// ``ContainerWatch/engineGrace`` (events lost).
    private var graceTimer: Task<Void, Never>?
    /// The container the companions watch, while the container child's run has one running.
    private nonisolated let board = RunningBoard()
    /// While a crash-looping recorder runs: fires after the backoff's reset (a stable run).
    private var stableTimer: Task<Void, Never>?
    /// Whether the container child waits out the engine's backoff (not a crash's).
    private var waitingForEngine = false
    /// The container child's current run: kept here, so that its long-lived frame holds little.
    private var run = ContainerRun()

    /// - Parameters:
    ///   - key: the device id, or the worker's service name.
    ///   - service: `recorder`, or the worker's service (its containers' `io.silvasonic.service`).
    ///   - parentPath: the path of its ``DeviceSupervisor``.
    ///   - environment: with Redis in its companions, the `heartbeat` and `logs` children run
    ///     (recorders only).
    ///   - events: its supervisor's events (the device supervisor's, shared by all its devices).
    init(key: String, service: String, parentPath: String, environment: DeviceEnvironment<C>, journal: DeviceJournal<C>,
         events: SupervisionEvents, random: some RandomNumberGenerator & Sendable) {
        self.key = key
        self.environment = environment
        self.journal = journal
        let companions = environment.companions, policy = environment.policy
        children = service == "recorder" && companions.redis != nil ? Child.allCases : [.container]
        // The children reach the actor through a weak reference: the actor owns its supervisor.
        let reference = WeakReference<DeviceActor<C>>()
        let specs = children.map { child in
            switch child {
            case .container:
                ChildSpec(id: child.rawValue, shutdown: .timeout(.seconds(15))) { try await reference.value?.runContainer() }
            case .heartbeat:
                ChildSpec(id: child.rawValue) { try await reference.value?.watchHeartbeat() }
            case .logs:
                ChildSpec(id: child.rawValue) { try await reference.value?.followLogs() }
            }
        }
        // Valid by construction: three distinct ids, permanent workers, backoff with retry at the cap.
        do {
            supervisor = try Supervisor(name: key, parentPath: parentPath, options: policy.supervisorOptions, children: specs,
                                        clock: environment.clock, random: random, events: events, logger: environment.logger)
        } catch {
            preconditionFailure("a device's supervisor spec is invalid: \(error)")
        }
        reference.value = self
    }

    /// Runs its supervisor until cancelled; the containers are left as they are (the shutdown
    /// policy decides about them).
    public nonisolated func run() async throws {
        try await supervisor.run()
    }

    /// The recorder this device should run (`nil`: none, `because` of this). A change of what
    /// is wanted restarts the children, skipping any backoff; the same desire again changes
    /// nothing (a crash-looping recorder keeps its wait).
    func setDesired(_ spec: Tier2Spec?, because reason: IdleReason = .offline) async {
        let before = self.spec?.labelledHash
        self.spec = spec
        if spec == nil { idleReason = reason }
        guard desireSet else {
            desireSet = true
            return   // read by the container child when it first starts
        }
        guard before != spec?.labelledHash else { return }
        await restartChildren()
    }

    /// A Podman event about one of its containers. Those of the watched container go through
    /// its ``ContainerWatch``: a death the engine's own restart policy restarts is the engine's
    /// business; only one the engine leaves ends the run. Nothing else ends a wait: a container
    /// started meanwhile (by Podman or by hand) is adopted when the wait is over.
    package func handle(_ event: ContainerEvent) {
        guard var current = watched, current.containerID == event.containerID,
              let fact = ContainerWatch.Event(event.action) else { return }
        let verdict = current.watch.observe(fact)
        watched = current
        carryOut(verdict, for: current)
    }

    private func carryOut(_ verdict: ContainerWatch.Verdict, for current: Watched) {
        switch verdict {
        case .watching:
            stopGraceTimer()
        case .awaitingEngine:
            startGraceTimer(current.containerID)
        case .restartedByEngine(let count):
            logger.debug("recorder restarted by the engine's own restart policy; not a crash",
                         metadata: ["device.id": .string(key), "container.id": .string(current.containerID),
                                    "engine.restarts": count.map { .stringConvertible($0) } ?? "unknown"])
            startGraceTimer(current.containerID)
        case .ended(let code):
            stopGraceTimer()
            current.ends.yield(.died(exitCode: code))
        }
    }

    /// After ``ContainerWatch/engineGrace`` without the engine's word, looks at the container.
    private func startGraceTimer(_ id: String) {
        graceTimer?.cancel()
        graceTimer = Task { [clock, engine] in
            do { try await clock.sleep(for: ContainerWatch.engineGrace) } catch { return }
            // An engine that does not answer says nothing of it: judged as not running; the next
            // run adopts it if it does.
            let running = (try? await engine.inspect(id).running) ?? false
            await self.noWord(from: id, running: running)
        }
    }

    private func noWord(from id: String, running: Bool) {
        guard var current = watched, current.containerID == id else { return }
        graceTimer = nil
        let verdict = current.watch.observe(.noWord(running: running))
        watched = current
        carryOut(verdict, for: current)
    }

    private func stopGraceTimer() {
        graceTimer?.cancel()
        graceTimer = nil
    }

    /// The heartbeat child judged the container dead; `false` when it is not the one watched now.
    func heartbeatLost(containerID: String) -> Bool {
        guard let watched, watched.containerID == containerID else { return false }
        watched.ends.yield(.heartbeatLost)
        return true
    }

    /// Podman's event stream came back after an outage: events may have been missed, and a
    /// container child waiting out the engine's backoff need not wait longer, so the children
    /// start over and look again (not a crash). A crash's backoff is kept.
    func engineReconnected() async {
        switch journal.snapshot.state {
        case .running, .starting, .creating, .inspecting: await restartChildren()
        case .backingOff where waitingForEngine: await restartChildren()
        default: break
        }
    }

    /// An operator asked for a restart: a running container is stopped, removed and created
    /// anew; one waiting out a backoff (or crash-looping) is tried at once. Not a crash.
    /// - Returns: `false` when there is nothing to restart.
    package func restartRequested() async -> Bool {
        guard spec != nil else { return false }
        switch journal.snapshot.state {
        case .running(let id):
            logger.info("recorder restart requested by an operator", metadata: ["device.id": .string(key)])
            await terminateChildren()
            do {
                try await stopAndRemove(id, because: .operatorRestart)
            } catch {
                logger.warning("operator restart: the container was not stopped; looked up again",
                               metadata: ["device.id": .string(key), "error": "\(error)"])
            }
            await startChildren()
            return true
        case .backingOff, .crashLooping:
            logger.info("recorder restart requested by an operator: tried now", metadata: ["device.id": .string(key)])
            await restartChildren()
            return true
        default:
            return false
        }
    }

    /// What `/status` shows of this device: the journal and its supervisor's children.
    public func status() async -> DeviceStatus {
        let entry = journal.snapshot
        let now = clock.now
        return DeviceStatus(
            key: key, service: journal.service, state: entry.state, restarts: entry.crashes, lastFailure: entry.lastFailure,
            since: entry.lastChange.duration(to: now), nextRetry: entry.retryAt.map { max(.zero, now.duration(to: $0)) },
            lastStop: entry.lastStop.map { "\($0)" }, children: await supervisor.whichChildren(),
            idleReason: spec == nil ? idleReason : nil, engineUnreachable: waitingForEngine, lastHeartbeat: entry.lastHeartbeat)
    }

    // MARK: Children by hand

    private func terminateChildren() async {
        for child in children.reversed() {
            do { try await supervisor.terminateChild(child.rawValue) } catch {
                logger.debug("child not terminated", metadata: ["device.id": .string(key), "child": "\(child)", "error": "\(error)"])
            }
        }
    }

    private func startChildren() async {
        for child in children {
            do { try await supervisor.restartChild(child.rawValue) } catch {
                // Started by a concurrent request already, or the tree is stopping.
                logger.debug("child not restarted", metadata: ["device.id": .string(key), "child": "\(child)", "error": "\(error)"])
            }
        }
    }

    private func restartChildren() async {
        await terminateChildren()
        await startChildren()
    }

    // MARK: The children's bodies

    /// The container child: brings the wanted container up (or the unwanted one down) and
    /// awaits its end. A death or a lost heartbeat is thrown, for the supervisor to restart.
    ///
    /// Thousands of devices wait here for as long as their containers run, and a task keeps the
    /// stack it once needed: this body is one `nonisolated` frame that holds only a few values
    /// and waits on an ``EndInbox``. Everything else — the engine's calls, the rules, the
    /// engine's backoff — runs in short-lived tasks (``inShortTask(_:)``) and short isolated calls.
    private nonisolated func runContainer() async throws {
        await beginContainerRun()
        do {
            if let ends = try await inShortTask({ try await self.bringUpForWatch() }) {
                var end = await ends.next()
                while case .stable? = end {
                    journal.recoverIfLooping()
                    end = await ends.next()
                }
                let lost = try await judgeEnd(end)
                try await inShortTask { await self.stopLost(lost) }
                throw RecorderExit.heartbeatLost(containerID: lost)
            }
            await suspendUntilCancelled()   // nothing is wanted: the unwanted containers are gone
            await endContainerRun()
        } catch let exit as RecorderExit {
            journal.crashed("\(exit)")
            await endContainerRun()
            throw exit
        } catch {
            await endContainerRun()
            throw error
        }
    }

    /// What the container child's current run knows between its steps.
    private struct ContainerRun {
        /// Failed engine calls in a row.
        var engineAttempt = 0
        /// The container watched now.
        var watched: String?
    }

    /// Brings the wanted container up, then tells the companions it runs; its ends. `nil` when
    /// nothing is wanted (the unwanted containers are stopped and removed). The engine's own
    /// trouble is waited out here, never a crash of the recorder.
    private func bringUpForWatch() async throws -> EndInbox? {
        while true {
            try Task.checkCancellation()
            do {
                guard isWanted else {
                    try await removeUnwanted()
                    journal.set(.idle)
                    return nil
                }
                guard let up = try await bringUp() else {
                    continue   // a drifted container was replaced: looked up again
                }
                run.engineAttempt = 0
                run.watched = up
                guard let ends = announceRunning(up) else { throw CancellationError() }
                return ends
            } catch let failure as EngineFailure {
                run.engineAttempt += 1
                try await waitOutEngine(failure, attempt: run.engineAttempt)
            }
        }
    }

    /// The watched container's run ended with `end`: a death the engine leaves is thrown as a
    /// crash; returns the container whose heartbeat was lost, for the container child to stop
    /// and throw.
    private func judgeEnd(_ end: ContainerEnd?) throws -> String {
        stopStableTimer()
        stopGraceTimer()
        guard let containerID = run.watched else { throw CancellationError() }
        run.watched = nil
        switch end {
        case .died(let code)?:
            throw RecorderExit.died(containerID: containerID, exitCode: code)
        case .heartbeatLost?:
            return containerID
        case .stable?, nil:
            throw CancellationError()
        }
    }

    /// A container child's run begins: nothing of an earlier run's ends is taken.
    private func beginContainerRun() {
        stopStableTimer()
        stopGraceTimer()
        watched?.ends.finish()
        watched = nil
        run = ContainerRun()
    }

    private func endContainerRun() {
        stopGraceTimer()
        board.set(nil)
    }

    /// Waits the engine's backoff after a failed call (cut short when Podman's events return).
    @inline(never)
    private nonisolated func waitOutEngine(_ failure: EngineFailure, attempt: Int) async throws {
        journal.record(.engineError(failure.description))
        let delay = policy.engineBackoff.delay(forAttempt: attempt, randomUnit: 0.5)
        journal.set(.backingOff, retryAt: clock.now.advanced(by: delay))
        await setWaitingForEngine(true)
        do {
            try await clock.sleep(for: delay)
        } catch {
            await setWaitingForEngine(false)
            throw error
        }
        await setWaitingForEngine(false)
    }

    private var isWanted: Bool { spec != nil }

    private func setWaitingForEngine(_ waiting: Bool) {
        waitingForEngine = waiting
    }

    /// Looks the device's container up and follows ``RecorderRules``: adopts, starts, or creates
    /// and starts it; the container that runs, or `nil` when a drifted one was replaced (it is
    /// looked up again).
    private func bringUp() async throws -> String? {
        guard let spec else { return nil }
        journal.set(.inspecting)
        let existing = try await engineStep("looking up the container") { try await self.findContainer(spec) }
        switch RecorderRules.step(for: existing, wantedHash: spec.labelledHash) {
        case .adopt(let found):
            watch(found, startedByController: false)
            journal.set(.running(containerID: found))
            journal.record(.adopted(containerID: found))
            return found
        case .start(let found):
            try await start(found)
            return found
        case .replace(let old):
            try await stopAndRemove(old, because: .configDrift)
            return nil
        case .create:
            let id = try await create(spec)
            try await start(id)
            return id
        }
    }

    /// Stops the container whose heartbeat was lost; a failure is said, the crash stands.
    private func stopLost(_ id: String) async {
        do { try await stopAndRemove(id, because: .heartbeatLost) } catch {
            logger.warning("the container that lost its heartbeat was not stopped",
                           metadata: ["device.id": .string(key), "error": "\(error)"])
        }
    }

    /// Runs `body` in a task of its own, cancelled with this one: its stack is freed when it
    /// ends, while a long-lived task keeps the stack it once needed for its whole life. Not a
    /// task group: a group's own storage would stay on this task's stack too.
    @inline(never)
    private nonisolated func inShortTask<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task(operation: body)
        return try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
    }

    /// Stops and removes every container of this device (it is not wanted), each with the reason.
    private func removeUnwanted() async throws {
        let found = try await engineStep("looking up the container") {
            try await self.engine.list(labels: self.deviceLabels, statuses: [])
        }
        for container in found { try await stopAndRemove(container.id, because: .unwanted(idleReason)) }
    }

    private func create(_ spec: Tier2Spec) async throws -> String {
        journal.set(.creating)
        let id = try await engineStep("creating \(spec.name)") {
            for mount in spec.mounts where !mount.readOnly {
                try FileManager.default.createDirectory(atPath: mount.controllerSource ?? mount.source,
                                                        withIntermediateDirectories: true)
            }
            return try await self.engine.create(spec.podmanSpec)
        }
        journal.record(.created(containerID: id))
        return id
    }

    /// Starts the container; its end is watched from before the call, so that a crash at once
    /// (its `died` event taken while the call is in flight) ends the run.
    private func start(_ id: String) async throws {
        journal.set(.starting(containerID: id))
        watch(id, startedByController: true)
        try await engineStep("starting \(id)") { try await self.engine.start(id) }
        journal.set(.running(containerID: id))
        journal.record(.started(containerID: id))
    }

    private func stopAndRemove(_ id: String, because reason: StopReason) async throws {
        journal.set(.stopping(containerID: id))
        journal.record(.stopping(containerID: id, reason: reason))
        try await engineStep("stopping \(id)") {
            do {
                try await self.engine.stop(id, timeoutSeconds: 10)
                try await self.engine.remove(id, force: true)
            } catch let error as PodmanError where error.code == .notFound {
                return   // gone already
            }
        }
    }

    /// The device's container: the one with the spec's name, else any other this controller
    /// made for the device (its profile changed since).
    private func findContainer(_ spec: Tier2Spec) async throws -> ExistingContainer? {
        let found = try await engine.list(labels: deviceLabels, statuses: [])
        guard let match = found.first(where: { $0.name == spec.name }) ?? found.first else { return nil }
        return ExistingContainer(containerID: match.id, configHash: match.labels[Tier2Spec.configHashLabel],
                                 running: match.state == "running")
    }

    private var deviceLabels: [String: String] {
        ["io.silvasonic.owner": owner, "io.silvasonic.service": journal.service, "io.silvasonic.device_id": journal.deviceID]
    }

    /// Runs one engine call; its error becomes an ``EngineFailure`` naming what was tried.
    private func engineStep<T: Sendable>(_ what: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw EngineFailure(what: what, error: error)
        }
    }

    // MARK: Watching the running container

    /// From now on, the events of `id` are judged by a fresh ``ContainerWatch`` and its ends
    /// delivered to the container child; `startedByController`: the controller starts it
    /// through the API (which resets Podman's count of its retries).
    private func watch(_ id: String, startedByController: Bool) {
        stopGraceTimer()
        let fresh = ContainerWatch(policy: restartPolicy, startedByController: startedByController)
        if watched?.containerID == id {
            watched?.watch = fresh
            return
        }
        watched?.ends.finish()
        watched = Watched(containerID: id, ends: EndInbox(), watch: fresh)
    }

    /// The engine's restart policy of the wanted container, as its spec sets it.
    private var restartPolicy: ContainerWatch.RestartPolicy {
        guard let spec else { return .never }
        return ContainerWatch.RestartPolicy(name: spec.restartPolicyName, maxRetries: spec.restartMaxRetries)
    }

    private func stopStableTimer() {
        stableTimer?.cancel()
        stableTimer = nil
    }

    /// The container `id` runs: the companions waiting for one are told; its ends, with a
    /// `stable` one after the backoff's reset while the recorder is crash-looping.
    private func announceRunning(_ id: String) -> EndInbox? {
        journal.set(.running(containerID: id))
        board.set(RunningContainer(containerID: id, spec: spec))
        guard let ends = watched?.ends else { return nil }
        stableTimer?.cancel()
        stableTimer = journal.snapshot.crashLooping ? Task { [clock, policy] in
            do { try await clock.sleep(for: policy.backoff.resetAfter) } catch { return }
            ends.yield(.stable)
        } : nil
        return ends
    }

    /// The heartbeat child: watches each running container until it is judged dead, then hands
    /// the verdict to the container child (which replaces it, as a crash). Its long-lived frame
    /// holds the watch alone and sleeps between checks; each check runs in a short-lived task.
    private nonisolated func watchHeartbeat() async throws {
        while let watch = await nextHeartbeatWatch() {
            while true {
                do {
                    try await clock.sleep(until: clock.now.advanced(by: companions.heartbeatInterval), tolerance: nil)
                } catch {
                    return
                }
                if try await inShortTask({ await watch.check() }) { break }
            }
            if await heartbeatLost(containerID: watch.containerID) { return await suspendUntilCancelled() }
        }
    }

    /// A watch of the container that runs now, or of the next one to, begun; `nil` when
    /// cancelled first. Without Redis there is nothing to watch: waits to be cancelled.
    @inline(never)
    private nonisolated func nextHeartbeatWatch() async -> HeartbeatWatch<C>? {
        guard let redis = companions.redis else {
            await suspendUntilCancelled()
            return nil
        }
        guard let running = await board.next() else { return nil }
        let watch = makeWatch(running, redis: redis)
        do { try await inShortTask { await watch.begin() } } catch { return nil }
        return watch
    }

    private nonisolated func makeWatch(_ running: RunningContainer, redis: any RedisCommands) -> HeartbeatWatch<C> {
        HeartbeatWatch(containerID: running.containerID, journal: journal, workspace: running.workspace,
                       segmentDuration: running.segmentDuration, redis: redis, environment: environment)
    }

    /// The logs child: forwards the running container's log until cancelled.
    private nonisolated func followLogs() async throws {
        guard let follower = await nextFollower() else { return await suspendUntilCancelled() }
        await follower.run()
    }

    /// A follower of the container that runs now, or of the next one to; `nil` without Redis or
    /// when cancelled first.
    @inline(never)
    private nonisolated func nextFollower() async -> LogFollower? {
        guard let redis = companions.redis, let running = await board.next() else { return nil }
        return LogFollower(running: running, engine: engine, redis: redis, bufferLimit: companions.logBufferLimit,
                           counters: counters)
    }
}

/// What the container child's run ended with, thrown to its supervisor.
enum RecorderExit: Error, CustomStringConvertible {
    /// Its main process exited (`nil`: it went while the controller was not watching).
    case died(containerID: String, exitCode: Int?)
    /// No heartbeat and no progress in its workspace: stopped and removed.
    case heartbeatLost(containerID: String)

    var description: String {
        switch self {
        case .died(let id, let code?): "container \(id.prefix(12)) exited with code \(code)"
        case .died(let id, nil): "container \(id.prefix(12)) is no longer running"
        case .heartbeatLost(let id): "container \(id.prefix(12)) lost its heartbeat and its workspace shows no progress"
        }
    }
}

/// An engine call that failed: waited out by the container child, never a crash.
struct EngineFailure: Error, CustomStringConvertible {
    var what: String
    var error: any Error
    var description: String { "\(what): \(error)" }
}

/// What ends a running container's watch.
enum ContainerEnd: Sendable {
    /// The engine is done with it (`nil`: no exit code was seen).
    case died(exitCode: Int?)
    case heartbeatLost
    /// It ran for the backoff's reset: a crash loop is over.
    case stable
}

/// The container the container child watches, and what its events meant so far.
private struct Watched {
    var containerID: String
    var ends: EndInbox
    var watch: ContainerWatch
}

extension ContainerWatch.Event {
    /// The fact a Podman event states about the watched container; `nil` for what does not
    /// bear on its life (`create`, `init`, `attach`, health, ...).
    init?(_ action: ContainerEvent.Action) {
        switch action {
        case .start: self = .started
        case .kill, .stop: self = .stopRequested
        case .died(let code): self = .died(exitCode: code)
        case .restart: self = .engineRestarting
        case .cleanup: self = .cleanedUp
        case .remove: self = .removed
        case .create, .initialize, .pause, .unpause, .healthStatus, .other: return nil
        }
    }
}

/// The container the companions watch, and what they need of its spec.
struct RunningContainer: Sendable {
    var containerID: String
    var name: String
    var labels: [String: String]
    /// Where the controller sees its workspace, if it does.
    var workspace: String?
    var segmentDuration: Duration

    init(containerID: String, spec: Tier2Spec?) {
        self.containerID = containerID
        name = spec?.name ?? containerID
        labels = spec?.labels ?? [:]
        workspace = spec?.controllerWorkspace
        segmentDuration = spec?.segmentDuration ?? .seconds(10)
    }
}

/// Suspends until the task is cancelled.
func suspendUntilCancelled() async {
    let (stream, continuation) = AsyncStream.makeStream(of: Never.self)
    await withTaskCancellationHandler {
        for await _ in stream {}
    } onCancel: {
        continuation.finish()
    }
}

/// A weak reference that can be shared with `@Sendable` closures.
final class WeakReference<Value: AnyObject & Sendable>: Sendable {
    private let storage = Mutex<WeakBox>(WeakBox())
    private struct WeakBox: @unchecked Sendable {
        // Sendable because it only ever holds a `Value`, itself Sendable, and is only read and
        // written under the mutex.
        weak var value: Value?
    }

    var value: Value? {
        get { storage.withLock { $0.value } }
        set { storage.withLock { $0.value = newValue } }
    }
}

/// What every device actor of one ``DeviceSupervisor`` shares, kept once rather than in each.
final class DeviceEnvironment<C: Clock<Duration>>: Sendable {
    let engine: any ContainerEngine
    let clock: C
    /// The `io.silvasonic.owner` label of this controller's containers.
    let owner: String
    let policy: RecorderPolicy
    /// How running recorders are watched; without Redis, neither watch runs.
    let companions: CompanionSettings
    let counters: LogCounters
    let logger: Logger

    init(engine: any ContainerEngine, clock: C, owner: String, policy: RecorderPolicy, companions: CompanionSettings,
         counters: LogCounters, logger: Logger) {
        self.engine = engine
        self.clock = clock
        self.owner = owner
        self.policy = policy
        self.companions = companions
        self.counters = counters
        self.logger = logger
    }
}
