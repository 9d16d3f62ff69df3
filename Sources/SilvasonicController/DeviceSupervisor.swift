public import ControllerCore
public import Logging
public import SilvasonicPodman
public import Supervision

/// The supervisor of the devices' actors: one ``DeviceActor`` child per device id (or, for the
/// `workers` instance, per singleton worker) while the device is plugged in or wanted, started
/// when the ``Reconciler`` first names it so and told what to run by each reconcile; a node with
/// nothing left to do (nothing wanted, not plugged in, its containers stopped) is removed. The
/// engine's events reach them here. Each actor is its
/// child's handle in the library (``Supervisor/startChild(_:handle:)``): found by its key there,
/// with no table of actors beside the supervisor's own.
///
/// One-for-one, stopped all at once (``ShutdownOrder/concurrent``), and never escalating: a
/// device's failures stay in its own ``DeviceActor``, whose supervisor retries at the cap, so
/// no number of crashing microphones restarts another device's recorder or the root.
public actor DeviceSupervisor<C: Clock<Duration>> {
    /// Which containers its children own.
    public enum Kind: Sendable {
        /// Recorders, one per device id (`io.silvasonic.service=recorder`).
        case recorders
        /// Singleton workers, one per service name.
        case workers
    }

    /// The library supervisor whose children are the device actors.
    public nonisolated let supervisor: Supervisor<C>
    /// Log lines forwarded to and dropped before `silvasonic:logs`, over all its devices.
    nonisolated let logCounters = LogCounters()
    let kind: Kind
    let logger: Logger
    private let metrics: ControllerMetrics
    private let events: LifecycleEvents?
    private let random: @Sendable () -> any RandomNumberGenerator & Sendable
    private let keepReports: Bool
    /// What its device actors share.
    let environment: DeviceEnvironment<C>
    /// The keys of the nodes removed, in order, when the tree keeps report streams (tests, tools).
    package nonisolated let removals: AsyncStream<String>?
    let removed: AsyncStream<String>.Continuation?
    /// Nodes being removed, by key (`true` once removed): a desire for one waits until it is gone.
    var retiring: [String: Task<Bool, Never>] = [:]
    /// Devices left as they are, with why, said once per reason.
    private var keepReasons: [String: String] = [:]

    /// - Parameters:
    ///   - name: `devices` or `workers`: its path is `parentPath/name`.
    ///   - policy: how each device's recorder is restarted.
    ///   - companions: with Redis, each recorder gets its `heartbeat` and `logs` children.
    ///   - keepReports: whether each device's journal keeps a stream of its reports (tests, tools).
    ///   - random: a source of backoff jitter for each device's supervisor.
    public init(name: String, parentPath: String? = "controller", kind: Kind, engine: any ContainerEngine, clock: C,
                owner: String, policy: RecorderPolicy = RecorderPolicy(), companions: CompanionSettings = CompanionSettings(redis: nil),
                metrics: ControllerMetrics = ControllerMetrics(), events: LifecycleEvents? = nil, logger: Logger,
                keepReports: Bool = false,
                random: @escaping @Sendable () -> any RandomNumberGenerator & Sendable = { SystemRandomNumberGenerator() }) {
        self.keepReports = keepReports
        if keepReports {
            let (stream, continuation) = AsyncStream.makeStream(of: String.self)
            (removals, removed) = (stream, continuation)
        } else {
            (removals, removed) = (nil, nil)
        }
        self.kind = kind
        self.logger = logger
        self.metrics = metrics
        self.events = events
        self.random = random
        // Workers are judged by their container alone: they publish no per-device heartbeat.
        environment = DeviceEnvironment(engine: engine, clock: clock, owner: owner, policy: policy,
                                        companions: kind == .recorders ? companions : CompanionSettings(redis: nil),
                                        counters: logCounters, logger: logger)
        // A device actor that fails is restarted, and past the intensity retried at the cap:
        // never escalated to the root.
        let options = SupervisorOptions(strategy: .oneForOne, intensity: RestartIntensity(maxRestarts: 10, within: .seconds(60)),
                                        backoff: BackoffPolicy(initial: .milliseconds(100), maximum: .seconds(30)),
                                        shutdownOrder: .concurrent, intensityPolicy: .retryAtCap)
        do {
            supervisor = try Supervisor(name: name, parentPath: parentPath, options: options, clock: clock, logger: logger)
        } catch {
            preconditionFailure("the device supervisor's options are invalid: \(error)")
        }
        let reference = WeakReference<DeviceSupervisor<C>>()
        environment.settledIdle.withLock { hook in
            hook = { key in Task { await reference.value?.retireIfDone(key) } }
        }
        reference.value = self
    }

    /// Runs until cancelled; every device actor is stopped with it (their containers are left
    /// to the shutdown policy).
    public func run() async throws {
        try await supervisor.run()
    }

    /// Carries out one reconcile's decisions: every device's actor at once (one slow engine call
    /// holds up only its own device), returning when each has taken its decision in.
    package func apply(_ plan: Reconciliation.Plan) async {
        var wanted: [(String, Tier2Spec?, IdleReason)] = []
        for (device, decision) in plan.decisions.sorted(by: { $0.key < $1.key }) {
            switch decision {
            case .record(let spec):
                release(device)
                wanted.append((device, spec, .offline))
            case .idle(let reason):
                release(device)
                wanted.append((device, nil, reason))
            case .keep(let reason):
                // Said once per reason, not on every reconcile; a running recorder keeps running.
                guard keepReasons.updateValue(reason, forKey: device) != reason else { continue }
                logger.warning("device left as it is", metadata: ["device.id": "\(device)", "reason": "\(reason)"])
            }
        }
        await setDesired(wanted)
    }

    /// Carries out the singleton workers' decisions: a spec to run, or `nil` for none (a node is
    /// made for one only while a container of it is to be stopped: one left running by an
    /// earlier controller); those with none are idle `because` of this.
    package func applyWorkers(_ desired: [String: Tier2Spec?], because reason: IdleReason = .workerOff) async {
        await setDesired(desired.sorted(by: { $0.key < $1.key }).map { name, spec in (name, spec, reason) })
    }

    /// The device's row can be acted on again: said once, when it ends.
    private func release(_ device: String) {
        guard let reason = keepReasons.removeValue(forKey: device) else { return }
        logger.notice("device acted on again", metadata: ["device.id": "\(device)", "was": "\(reason)"])
    }

    /// Devices left as they are, with why: a row value the contract does not know, or a
    /// profile that cannot be read. Shown by `status` until fixed.
    var heldDevices: [String: String] { keepReasons }

    private func setDesired(_ wanted: [(String, Tier2Spec?, IdleReason)]) async {
        // A new actor is made with its first desire (its children read it when they start) and
        // started at once: one after the other, without a task each; its handle is found from
        // the start call on. A changed desire restarts an actor's children, which waits for its
        // container child to stop: those are told all at once, so that one slow engine call
        // holds up only its own device. A device that wants nothing and is not plugged in gets
        // a node only while it has containers to stop.
        var changed: [(DeviceActor<C>, Tier2Spec?, IdleReason)] = []
        var unplaced: [String: IdleReason] = [:]
        for (key, spec, reason) in wanted {
            if let device = device(key) {
                changed.append((device, spec, reason))
            } else if spec != nil || reason.deviceIsPresent {
                await start(key, spec, reason)
            } else {
                unplaced[key] = reason
            }
        }
        if !unplaced.isEmpty {
            for key in await withContainers(unplaced.keys) { await start(key, nil, unplaced[key] ?? .offline) }
        }
        guard changed.count > 1 else {
            if let (device, spec, reason) = changed.first { await tell(device, spec, reason) }
            return
        }
        await withTaskGroup(of: Void.self) { group in
            for (device, spec, reason) in changed { group.addTask { await self.tell(device, spec, reason) } }
        }
    }

    /// Makes the device's actor with its first desire and starts it as this supervisor's child,
    /// the actor as the child's handle.
    func start(_ key: String, _ spec: Tier2Spec?, _ reason: IdleReason) async {
        let service = kind == .recorders ? "recorder" : key
        let journal = DeviceJournal(deviceID: key, service: service, clock: environment.clock, logger: logger, metrics: metrics,
                                    events: events, redis: environment.companions.redis, keepReports: keepReports,
                                    longestWait: environment.policy.backoff.maximum)
        // The device's supervisor's events reach its journal synchronously: a restart is
        // journaled before the restarted child reports anything.
        let device = DeviceActor(key: key, service: service, parentPath: supervisor.path, environment: environment,
                                 journal: journal, events: SupervisionEvents(observer: { journal.observe($0) }),
                                 random: random(), desire: spec, because: reason)
        do {
            try await supervisor.startChild(ChildSpec(id: key, shutdown: .infinity, kind: .supervisor) {
                try await device.run()
            }, handle: device)
        } catch {
            logger.debug("device actor not started", metadata: ["device.id": "\(key)", "error": "\(error)"])
        }
    }

    /// Routes a container event to the actor that owns the container (by its labels).
    package func route(_ event: ContainerEvent) async {
        guard let key = ownerKey(of: event.labels), let device = device(key) else { return }
        await device.handle(event)
    }

    /// Podman's event stream came back after an outage: every actor looks again.
    func engineReconnected() async {
        let all = Array(supervisor.handles(as: DeviceActor<C>.self).values)
        await withTaskGroup(of: Void.self) { group in
            for device in all { group.addTask { await device.engineReconnected() } }
        }
    }

    /// Asks the actor of `key` for a restart of its container (see ``DeviceActor/restartRequested()``).
    /// - Returns: `false` when it has no container to restart.
    public func restart(_ key: String) async -> Bool {
        guard let device = device(key) else { return false }
        return await device.restartRequested()
    }

    /// Every actor's recorder state, read from the journals (no actor is waited on).
    package nonisolated func states() -> [String: RecorderState] {
        let devices = supervisor.handles(as: DeviceActor<C>.self)
        var states: [String: RecorderState] = [:]
        states.reserveCapacity(devices.count)
        for (key, device) in devices { states[key] = device.journal.snapshot.state }
        return states
    }

    /// Devices whose recorder runs now.
    package nonisolated func runningDevices() -> Set<String> {
        Set(states().compactMap { key, state in
            if case .running = state { return key }
            return nil
        })
    }

    /// Every actor's status (and the held devices that have none yet), by key.
    package func statuses() async -> [String: DeviceStatus] {
        var all: [String: DeviceStatus] = [:]
        for (key, device) in supervisor.handles(as: DeviceActor<C>.self) {
            var status = await device.status()
            status.heldBecause = keepReasons[key]
            all[key] = status
        }
        // A device held from the start has no actor yet: shown all the same.
        for (key, reason) in keepReasons where all[key] == nil {
            all[key] = DeviceStatus(key: key, service: kind == .recorders ? "recorder" : key, state: .idle, restarts: 0,
                                    lastFailure: nil, since: .zero, nextRetry: nil, lastStop: nil, children: [],
                                    heldBecause: reason)
        }
        return all
    }

    /// The actor of `key`, while its node exists.
    public nonisolated func device(_ key: String) -> DeviceActor<C>? {
        supervisor.handle(of: key, as: DeviceActor<C>.self)
    }
}
