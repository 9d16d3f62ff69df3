public import ControllerCore
import Foundation
public import InMemoryBackends
import Logging
public import SilvasonicController
import SilvasonicHardware
public import SilvasonicIO
import SilvasonicPodman
import Supervision
import Synchronization

/// The controller's tree — device inventory, reconciler, device registry with one recorder
/// actor per microphone, Podman event routing and the periodic reconcile — unchanged, on an
/// in-memory container engine, an in-memory desired-state store and simulated microphones.
public final class SimulatedStation: Sendable {
    public let engine: InMemoryContainerEngine
    public let store: InMemoryDeviceStore
    public let registry: DeviceRegistry<ContinuousClock>
    public let reconciler: Reconciler<ContinuousClock>
    public let inventory: DeviceInventory<ContinuousClock>
    public let settings: StationSettings
    private let hardware = Mutex(SimulatedHardware())
    private let reconcileInterval: Duration
    /// Reconciles asked for by the tick.
    private let ticks = Mutex(0)

    /// The profile every simulated microphone matches.
    public static let profiles: [String: JSONValue] = [
        "ultramic_384_evo": [
            "audio": ["sample_rate": 384_000, "match": ["usb_vendor_id": "0869", "usb_product_id": "0389",
                                                         "alsa_name_contains": "ultramic"]],
            "processing": ["gain_db": 12.0, "chunk_size": 8192, "highpass_filter_hz": 1000.0],
        ],
    ]

    public init(options: SimulationOptions, workspace: String) {
        engine = InMemoryContainerEngine(recordsCalls: false, recordsStarts: true, latency: options.engineLatency,
                                         failureRate: options.failureRate, seed: options.seed)
        store = InMemoryDeviceStore(profiles: Self.profiles)
        var settings = StationSettings()
        settings.owner = "simulation"
        settings.workspacePath = workspace
        self.settings = settings
        reconcileInterval = options.reconcileInterval
        let logger = Logger(label: "simulation") { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .error
            return handler
        }
        let lifecycle = RecorderLifecycle<ContinuousClock.Instant>(
            intensity: RestartIntensity(maxRestarts: options.maxRestarts, within: .seconds(300)),
            backoff: BackoffPolicy(initial: options.backoffInitial, maximum: options.backoffInitial * 60))
        registry = DeviceRegistry(engine: engine, clock: ContinuousClock(), owner: settings.owner, logger: logger,
                                  makeLifecycle: { lifecycle })
        let presence = HardwarePresence()
        let reconciler = Reconciler(repository: store, registry: registry, engine: engine, settings: settings, logger: logger,
                                    presence: presence)
        self.reconciler = reconciler
        inventory = DeviceInventory(repository: store, clock: ContinuousClock(), grace: options.offlineGrace, logger: logger,
                                    presence: presence, onChange: { reason in await reconciler.reconcile(reason: reason) })
    }

    /// Routes the engine's events to the recorder actors and reconciles at every interval,
    /// until cancelled: the station's `events` and `ticker` children.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [engine, registry] in
                for await event in engine.followEvents(labels: ["io.silvasonic.owner": "simulation"],
                                                       backoff: BackoffPolicy(initial: .milliseconds(10), maximum: .seconds(1))) {
                    if case .element(let change) = event { await registry.route(change) }
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

    /// Plugs microphones in, as a scan would see them; returns when the inventory handled it.
    public func plug<S: Sequence<Int>>(_ indices: S) async {
        let update = hardware.withLock { $0.plug(indices) }
        await inventory.handle(update)
    }

    /// Pulls microphones out.
    public func unplug<S: Sequence<Int>>(_ indices: S) async {
        let update = hardware.withLock { $0.unplug(indices) }
        await inventory.handle(update)
    }

    /// Periodic reconciles so far.
    public var tickCount: Int { ticks.withLock { $0 } }
}
