import ControllerCore
import Foundation
import Logging
public import SilvasonicController
import SilvasonicHardware
import SilvasonicPodman
import Supervision
import Synchronization

/// The controller's tree — device inventory, reconciler, device registry with one recorder
/// actor per microphone, Podman event routing and the periodic reconcile — unchanged, on the
/// ``SimulationBackends`` (in memory, or the real PostgreSQL, Redis and Podman) with simulated
/// microphones.
public final class SimulatedStation: Sendable {
    /// The backends' engine, timed: when each start returned and how long the engine took.
    public let engine: TimedContainerEngine
    public let backends: any SimulationBackends
    public let registry: DeviceRegistry<ContinuousClock>
    public let reconciler: Reconciler<ContinuousClock>
    public let inventory: DeviceInventory<ContinuousClock>
    private let hardware = Mutex(SimulatedHardware())
    private let reconcileInterval: Duration
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
        let lifecycle = RecorderLifecycle<ContinuousClock.Instant>(
            intensity: RestartIntensity(maxRestarts: options.maxRestarts, within: .seconds(300)),
            // The controller's policy: the first restart at once, then the backoff.
            backoff: BackoffPolicy(initial: options.backoffInitial, maximum: options.backoffInitial * 60, immediateFirstRestart: true))
        registry = DeviceRegistry(engine: engine, clock: ContinuousClock(), owner: backends.settings.owner, logger: logger,
                                  companions: backends.companions, makeLifecycle: { lifecycle })
        let presence = HardwarePresence()
        let reconciler = Reconciler(repository: backends.store, registry: registry, engine: engine, settings: backends.settings,
                                    logger: logger, presence: presence)
        self.reconciler = reconciler
        inventory = DeviceInventory(repository: backends.store, clock: ContinuousClock(), grace: options.offlineGrace,
                                    logger: logger, presence: presence,
                                    onChange: { reason, devices in await reconciler.reconcile(reason: reason, devices: devices) })
    }

    /// Routes the engine's events to the recorder actors, reconciles at every interval and beats
    /// for the simulated recorders, until cancelled: the station's `events` and `ticker` children.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [engine, registry, backends] in
                for await event in engine.followEvents(labels: ["io.silvasonic.owner": backends.settings.owner],
                                                       backoff: BackoffPolicy(initial: .milliseconds(10), maximum: .seconds(1))) {
                    if case .element(let change) = event { await registry.route(change) }
                }
            }
            group.addTask { [backends] in
                while !Task.isCancelled {
                    await backends.beat()
                    do { try await Task.sleep(for: backends.companions.heartbeatInterval) } catch { return }
                }
            }
            group.addTask { [self] in
                while !Task.isCancelled {
                    do { try await Task.sleep(for: reconcileInterval) } catch { return }
                    await inventory.resync()
                    await reconciler.reconcile(reason: "tick")
                    ticks.withLock { $0 += 1 }
                }
            }
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

    /// Pulls microphones out.
    public func unplug<S: Sequence<Int>>(_ indices: S) async {
        let update = hardware.withLock { $0.unplug(indices) }
        await inventory.handle(update)
    }

    /// Periodic reconciles so far.
    public var tickCount: Int { ticks.withLock { $0 } }
}
