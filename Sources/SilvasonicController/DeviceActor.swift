package import ControllerCore
import Foundation
import Logging
package import SilvasonicPodman
public import Supervision

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
/// Every decision is its ``DeviceMachine``'s (pure): a fact arrives as a message or a step of
/// the container child, the machine says what to do, and the actor carries its commands out
/// (``perform(_:)``). Which container to adopt, start, replace or create is ``RecorderRules``';
/// which deaths are crashes ``ContainerWatch``'s (a death Podman's own `on-failure` policy
/// restarts is the engine's business and ends no wait). The supervising — immediate first
/// restart, a backoff growing to its cap with jitter, the crash-looping label past the intensity,
/// the reset after a stable run — is the library's, configured by ``RecorderPolicy``; a crash of
/// the container restarts its watchers with it.
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
    let environment: DeviceEnvironment<C>
    nonisolated var engine: any ContainerEngine { environment.engine }
    nonisolated var clock: C { environment.clock }
    nonisolated var logger: Logger { environment.logger }
    nonisolated var companions: CompanionSettings { environment.companions }
    private let children: [Child]
    /// The device's decisions.
    var machine: DeviceMachine
    /// Where the current container child's run ends are delivered.
    var ends: EndInbox?
    /// The container the companions watch, while the container child's run has one running.
    nonisolated let board = RunningBoard()
    /// While the engine decides about a death of the watched container.
    private var graceTimer: Task<Void, Never>?
    /// While a crash-looping recorder runs: a stable run ends the label.
    private var stableTimer: Task<Void, Never>?
    /// Retired: its node is removed, and it takes no desire (``retire()``).
    private var retired = false

    /// - Parameters:
    ///   - key: the device id, or the worker's service name.
    ///   - service: `recorder`, or the worker's service (its containers' `io.silvasonic.service`).
    ///   - parentPath: the path of its ``DeviceSupervisor``.
    ///   - environment: with Redis in its companions, the `heartbeat` and `logs` children run
    ///     (recorders only).
    ///   - events: its supervisor's events (its journal observes them).
    ///   - desire: the recorder to run first (`nil`: none, `because` of this), read by the
    ///     container child's first run.
    init(key: String, service: String, parentPath: String, environment: DeviceEnvironment<C>, journal: DeviceJournal<C>,
         events: SupervisionEvents, random: some RandomNumberGenerator & Sendable, desire: Tier2Spec?,
         because reason: IdleReason) {
        self.key = key
        self.environment = environment
        self.journal = journal
        let companions = environment.companions, policy = environment.policy
        machine = DeviceMachine()
        _ = machine.desire(desire, because: reason)
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
        // Valid by construction: three distinct ids, permanent workers, a backoff.
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

    // MARK: Facts from outside

    /// The recorder this device should run (`nil`: none, `because` of this). A change of what
    /// is wanted restarts the children, skipping any backoff; the same desire again changes
    /// nothing (a crash-looping recorder keeps its wait).
    /// - Returns: `false` when the actor has retired (``retire()``): its node is being removed,
    ///   and the desire belongs to a new one.
    @discardableResult
    func setDesired(_ spec: Tier2Spec?, because reason: IdleReason = .offline) async -> Bool {
        guard !retired else { return false }
        let commands = machine.desire(spec, because: reason)
        await perform(commands)
        return true
    }

    /// Retires the actor when it has nothing left to do — nothing wanted, the device not plugged
    /// in (``IdleReason/deviceIsPresent``), its containers gone — so that its supervisor removes
    /// its node; from then on it takes no desire. `false` when it has something to do.
    func retire() -> Bool {
        guard !retired else { return true }
        guard !machine.isWanted, !machine.idleReason.deviceIsPresent, journal.snapshot.state == .idle else { return false }
        retired = true
        return true
    }

    /// A Podman event about one of its containers: those of the watched one are judged by the
    /// machine's ``ContainerWatch``; nothing else ends a wait (a container started meanwhile, by
    /// Podman or by hand, is adopted when the wait is over).
    package func handle(_ event: ContainerEvent) async {
        guard let fact = ContainerWatch.Event(event.action) else { return }
        await perform(machine.containerEvent(event.containerID, fact))
    }

    /// The heartbeat child judged the container dead; `false` when it is not the one watched now.
    func heartbeatLost(containerID: String) async -> Bool {
        let commands = machine.heartbeatLost(containerID: containerID)
        await perform(commands)
        return !commands.isEmpty
    }

    /// Podman's event stream came back after an outage: the children start over and look again
    /// (not a crash) unless a crash's backoff is being waited out.
    func engineReconnected() async {
        await perform(machine.engineReconnected())
    }

    /// An operator asked for a restart: a running container is stopped, removed and created
    /// anew; one waiting out a backoff (or crash-looping) is tried at once. Not a crash.
    /// - Returns: `false` when there is nothing to restart.
    package func restartRequested() async -> Bool {
        guard let commands = machine.restartRequested() else { return false }
        logger.info(commands.first == .restartChildren ? "recorder restart requested by an operator: tried now"
                                                       : "recorder restart requested by an operator",
                    metadata: ["device.id": .string(key)])
        await perform(commands)
        return true
    }

    /// What `/status` shows of this device: the journal and its supervisor's children.
    public func status() async -> DeviceStatus {
        let entry = journal.snapshot
        let now = clock.now
        return DeviceStatus(
            key: key, service: journal.service, state: entry.state, restarts: entry.crashes, lastFailure: entry.lastFailure,
            since: entry.lastChange.duration(to: now), nextRetry: entry.retryAt.map { max(.zero, now.duration(to: $0)) },
            lastStop: entry.lastStop.map { "\($0)" }, children: await supervisor.whichChildren(),
            idleReason: machine.isWanted ? nil : machine.idleReason, engineUnreachable: machine.waitingForEngine,
            lastHeartbeat: entry.lastHeartbeat)
    }

    // MARK: Carrying the machine's commands out

    /// Carries out `commands`, in order.
    func perform(_ commands: [DeviceMachine.Command]) async {
        for command in commands {
            switch command {
            case .restartChildren:
                await terminateChildren()
                await startChildren()
            case .restartContainer(let id):
                await terminateChildren()
                do {
                    try await stopAndRemove(id, because: .operatorRestart)
                } catch {
                    logger.warning("operator restart: the container was not stopped; looked up again",
                                   metadata: ["device.id": .string(key), "error": "\(error)"])
                }
                await startChildren()
            default:
                performNow([command])
            }
        }
    }

    /// Carries out commands that need no waiting: the ends, timers and recovery the container
    /// child's own steps produce. Synchronous, so that the child's long-lived task calls it with
    /// no async frame of its own (a task keeps the stack slabs it once needed: an async call
    /// here cost every device about 1 KB, measured at 10,000).
    func performNow(_ commands: [DeviceMachine.Command]) {
        for command in commands {
            switch command {
            case .restartChildren, .restartContainer:
                assertionFailure("a child's own step asked for \(command)")
            case .endRun(let end):
                ends?.yield(end)
            case .startGraceTimer(let id):
                startGraceTimer(id)
            case .cancelGraceTimer:
                graceTimer?.cancel()
                graceTimer = nil
            case .startStableTimer:
                startStableTimer()
            case .cancelStableTimer:
                stableTimer?.cancel()
                stableTimer = nil
            case .recovered:
                journal.recoverIfLooping()
            }
        }
    }

    /// After ``ContainerWatch/engineGrace`` without the engine's word, looks at the container.
    private func startGraceTimer(_ id: String) {
        graceTimer?.cancel()
        graceTimer = Task { [clock, engine, logger, key] in
            do { try await clock.sleep(for: ContainerWatch.engineGrace) } catch { return }
            let running: Bool
            do {
                running = try await engine.inspect(id).running
            } catch is CancellationError {
                return
            } catch let error as PodmanError where error.code == .notFound {
                running = false   // gone: the run has ended
            } catch {
                // The engine does not answer: judged as not running, so the run ends and the
                // next one looks again (it adopts the container if it runs, and waits out the
                // engine if it still does not answer).
                logger.warning("a dead container was not looked at; its run is judged ended",
                               metadata: ["device.id": .string(key), "container.id": .string(id), "error": "\(error)"])
                running = false
            }
            await self.graceElapsed(id, running: running)
        }
    }

    private func graceElapsed(_ id: String, running: Bool) async {
        graceTimer = nil
        await perform(machine.graceElapsed(containerID: id, running: running))
    }

    /// After the backoff's reset, a crash-looping recorder that still runs has recovered.
    private func startStableTimer() {
        stableTimer?.cancel()
        stableTimer = Task { [clock, resetAfter = environment.policy.backoff.resetAfter] in
            do { try await clock.sleep(for: resetAfter) } catch { return }
            await self.stableRunElapsed()
        }
    }

    private func stableRunElapsed() async {
        stableTimer = nil
        await perform(machine.stableRunElapsed())
    }

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
}
