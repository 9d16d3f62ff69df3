import ControllerCore
import Foundation
import Logging
public import SilvasonicController
import SilvasonicHardware
import SilvasonicPodman
import Supervision
import Synchronization

/// The controller's device tree (``DeviceTree``: device and worker supervisors with one
/// DeviceActor per microphone, reconciler, inventory, engine event routing) and the periodic
/// reconcile, wired as `run` wires them, on the ``SimulationBackends`` (in memory, or the real
/// PostgreSQL, Redis and Podman) with simulated microphones.
public final class SimulatedStation: Sendable {
    /// The backends' engine, timed: when each start returned and how long the engine took.
    public let engine: TimedContainerEngine
    public let backends: any SimulationBackends
    public let tree: DeviceTree<ContinuousClock>
    public var reconciler: Reconciler<ContinuousClock> { tree.reconciler }
    public var inventory: DeviceInventory<ContinuousClock> { tree.inventory }
    private let hardware = Mutex(SimulatedHardware())
    private let reconcileInterval: Duration
    private let logger: Logger
    /// Reconciles asked for by the tick.
    private let ticks = Mutex(0)

    public init(options: SimulationOptions, backends: any SimulationBackends) {
        self.backends = backends
        let engine = TimedContainerEngine(backends.engine)
        self.engine = engine
        reconcileInterval = options.reconcileInterval
        let logger = Logger(label: "simulation") { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .error
            return handler
        }
        self.logger = logger
        // The controller's policy: the first restart at once, then the backoff.
        let policy = RecorderPolicy(intensity: RestartIntensity(maxRestarts: options.maxRestarts, within: .seconds(300)),
                                    backoff: BackoffPolicy(initial: options.backoffInitial, maximum: options.backoffInitial * 60,
                                                           immediateFirstRestart: true))
        tree = DeviceTree(store: backends.store, engine: engine, settings: backends.settings, policy: policy,
                          companions: backends.companions, offlineGrace: options.offlineGrace, clock: ContinuousClock(),
                          logger: logger)
    }

    /// Runs the tree — the device and worker supervisors, the engine's events routed to their
    /// actors, the periodic reconcile and the simulated recorders' heartbeats — until cancelled,
    /// then stops it as the controller does (the containers left to the caller).
    public func run() async throws {
        let root = try tree.root(
            engineEventsBackoff: BackoffPolicy(initial: .milliseconds(10), maximum: .seconds(1)),
            beside: [
                ChildSpec(id: "ticker") { [self] in try await tick() },
                ChildSpec(id: "beats") { [backends] in
                    while true {
                        await backends.beat()
                        try await Task.sleep(for: backends.companions.heartbeatInterval)
                    }
                },
            ],
            clock: ContinuousClock())
        try await withTaskCancellationHandler {
            try await root.run()
        } onCancel: {
            Task { await root.shutdown() }
        }
    }

    private func tick() async throws {
        while true {
            try await Task.sleep(for: reconcileInterval)
            await inventory.resync()
            await reconciler.reconcile(reason: .tick)
            ticks.withLock { $0 += 1 }
        }
    }

    /// Plugs microphones in, as a scan would see them; returns when the inventory handled it,
    /// with the moment the scan's update was handed over (the event, the scan's own cost left
    /// to the hardware benchmarks).
    @discardableResult
    public func plug<S: Sequence<Int>>(_ indices: S) async -> ContinuousClock.Instant {
        let update = hardware.withLock { $0.plug(indices) }
        let handed = ContinuousClock.now
        await inventory.handle(update)
        return handed
    }

    /// Plugs one microphone and returns once its recorder's start returned: a plug's whole path
    /// through the tree, for the allocation benchmarks.
    public func plugAndAwaitStart(_ index: Int) async {
        let before = engine.startCount
        await plug([index])
        await engine.started(atLeast: before + 1)
    }

    /// Pulls microphones out.
    package func unplug<S: Sequence<Int>>(_ indices: S) async {
        let update = hardware.withLock { $0.unplug(indices) }
        await inventory.handle(update)
    }

    /// Periodic reconciles so far.
    var tickCount: Int { ticks.withLock { $0 } }
}
