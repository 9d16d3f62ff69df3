public import ControllerCore
public import Logging
public import SilvasonicPodman
public import Supervision

/// The device side of the controller's tree, wired in one place from its backends, settings,
/// clock and random source — for `run` (``Station``), `simulate` (the harness) and the tests:
///
/// ```
/// devices     DeviceSupervisor: one DeviceActor per device id (container, heartbeat, logs)
/// workers     DeviceSupervisor: one DeviceActor per singleton worker (container)
/// reconciler  the Reconciler's loop: the desired state read and handed to the actors, one run
///             at a time, requests coalesced
/// events      the engine's event stream → the owning DeviceActor; a resubscription after an
///             outage makes every actor look again
/// ```
/// with the ``Reconciler`` that tells the actors what to run and the ``DeviceInventory`` that
/// turns hardware scans into device rows.
public final class DeviceTree<C: Clock<Duration>>: Sendable {
    public let devices: DeviceSupervisor<C>
    package let workers: DeviceSupervisor<C>
    public let reconciler: Reconciler<C>
    public let inventory: DeviceInventory<C>
    public let engine: any ContainerEngine
    private let owner: String
    private let logger: Logger

    /// - Parameters:
    ///   - store: the desired state (PostgreSQL, or in memory).
    ///   - policy: how each recorder is restarted (``ControllerSettings/recorderPolicy``).
    ///   - companions: with Redis, each recorder's heartbeat is watched and its log forwarded.
    ///   - offlineGrace: how long an unplugged device keeps its recorder.
    ///   - presence: the hardware scan's devices, for the orphan sweep.
    ///   - keepReports: whether each device keeps a stream of its reports (``DeviceActor/reports``):
    ///     for tests and tools; a station keeps none.
    ///   - random: a source of backoff jitter for each device's supervisor.
    ///   - readObserved: told whether each read of the desired state succeeded (``Reconciler``).
    public init(store: any DeviceStore, engine: any ContainerEngine, settings: StationSettings, policy: RecorderPolicy,
                companions: CompanionSettings, offlineGrace: Duration, clock: C, logger: Logger,
                metrics: ControllerMetrics = ControllerMetrics(), events: LifecycleEvents? = nil,
                presence: HardwarePresence = HardwarePresence(), keepReports: Bool = false,
                random: @escaping @Sendable () -> any RandomNumberGenerator & Sendable = { SystemRandomNumberGenerator() },
                readObserved: (@Sendable (_ readable: Bool) -> Void)? = nil) {
        self.engine = engine
        owner = settings.owner
        self.logger = logger
        devices = DeviceSupervisor(name: "devices", kind: .recorders, engine: engine, clock: clock, owner: settings.owner,
                                   policy: policy, companions: companions, metrics: metrics, events: events, logger: logger,
                                   keepReports: keepReports, random: random)
        workers = DeviceSupervisor(name: "workers", kind: .workers, engine: engine, clock: clock, owner: settings.owner,
                                   policy: policy, metrics: metrics, events: events, logger: logger, keepReports: keepReports,
                                   random: random)
        let reconciler = Reconciler(repository: store, devices: devices, workers: workers, engine: engine, settings: settings,
                                    logger: logger, presence: presence, metrics: metrics, events: events,
                                    readObserved: readObserved)
        self.reconciler = reconciler
        inventory = DeviceInventory(repository: store, clock: clock, grace: offlineGrace, logger: logger, presence: presence,
                                    events: events,
                                    onChange: { written in await reconciler.reconcile(written) })
    }

    /// The controller's root supervisor, built in this one place for `run` (``Station``),
    /// `simulate` and the tests: `controller`, one-for-one (10 restarts within a minute, 0.5 s
    /// doubling to 30 s between them), over the device side's children (``children(engineEventsBackoff:observe:)``)
    /// and then the caller's own (`beside`: the station's nudges, scanner, ticker, heartbeat, ...;
    /// the simulation's ticker and simulated beats). Its `clock` times its own restarts and
    /// shutdown (the tests pass a real one beside the devices' manual clock).
    public func root<RootClock: Clock<Duration>>(engineEventsBackoff: BackoffPolicy,
                                                 observe: @escaping @Sendable (ContainerEventFollow) -> Void = { _ in },
                                                 beside: [ChildSpec], clock: RootClock) throws -> Supervisor<RootClock> {
        try Supervisor(
            name: "controller",
            options: SupervisorOptions(strategy: .oneForOne, intensity: RestartIntensity(maxRestarts: 10, within: .seconds(60)),
                                       backoff: BackoffPolicy(initial: .milliseconds(500), maximum: .seconds(30))),
            children: children(engineEventsBackoff: engineEventsBackoff, observe: observe) + beside,
            clock: clock, logger: logger)
    }

    /// The root's children that carry the devices, first in its start order (and so stopped
    /// last): the device and worker supervisors, the reconciler's loop that tells them what to
    /// run, then the engine's events routed to their actors.
    /// - Parameters:
    ///   - backoff: the event stream's reconnect backoff.
    ///   - observe: sees each event first (for health, metrics and lifecycle events).
    public func children(engineEventsBackoff backoff: BackoffPolicy,
                         observe: @escaping @Sendable (ContainerEventFollow) -> Void = { _ in }) -> [ChildSpec] {
        [
            ChildSpec(id: "devices", shutdown: .infinity, kind: .supervisor) { [devices] in try await devices.run() },
            ChildSpec(id: "workers", shutdown: .infinity, kind: .supervisor) { [workers] in try await workers.run() },
            ChildSpec(id: "reconciler") { [reconciler] in try await reconciler.run() },
            ChildSpec(id: "events") { [self] in try await followEngineEvents(backoff: backoff, observe: observe) },
        ]
    }

    /// Follows the engine's events of this owner's containers until cancelled, routing each to
    /// its DeviceActor; `observe` sees each first (for health, metrics and lifecycle events).
    func followEngineEvents(backoff: BackoffPolicy, observe: @Sendable (ContainerEventFollow) -> Void) async throws {
        var first = true
        for await event in engine.followEvents(labels: ["io.silvasonic.owner": owner], backoff: backoff) {
            observe(event)
            switch event {
            case .subscribed:
                if !first {
                    logger.info("the engine's event stream is back; every device looks again")
                    await devices.engineReconnected()
                    await workers.engineReconnected()
                    await reconciler.request(.podmanReconnected)
                }
                first = false
            case .element(let container):
                await devices.route(container)
                await workers.route(container)
            case .interrupted:
                break
            }
        }
        try Task.checkCancellation()
    }

    /// Every device's and worker's status, by the supervisor that holds it.
    package func statuses() async -> (devices: [DeviceStatus], workers: [DeviceStatus]) {
        (Array(await devices.statuses().values), Array(await workers.statuses().values))
    }
}
