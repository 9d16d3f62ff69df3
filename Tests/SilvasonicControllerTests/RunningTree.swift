import ControllerCore
import Foundation
import InMemoryBackends
import Logging
import SilvasonicController
import SilvasonicPodman
import Simulation
import Supervision
import Testing

/// A ``DeviceTree`` on an in-memory engine, its device and worker supervisors and the engine's
/// events running under a root supervisor until ``stop()``: the tree as `run` wires it.
struct RunningTree<C: Clock<Duration>> {
    let tree: DeviceTree<C>
    let engine: InMemoryContainerEngine
    private let task: Task<Void, any Error>

    init(engine: InMemoryContainerEngine, clock: C, store: any DeviceStore = InMemoryDeviceStore(profiles: [:]),
         settings: StationSettings = StationSettings(), policy: RecorderPolicy = RecorderPolicy(),
         companions: CompanionSettings = CompanionSettings(redis: nil), presence: HardwarePresence = HardwarePresence(),
         events: LifecycleEvents? = nil, logger: Logger = Logger(label: "test")) throws {
        self.engine = engine
        let tree = DeviceTree(store: store, engine: engine, settings: settings, policy: policy, companions: companions,
                              offlineGrace: .seconds(30), clock: clock, logger: logger, events: events, presence: presence, keepReports: true,
                              random: { SystemRandomNumberGenerator() })
        self.tree = tree
        let root = try tree.root(engineEventsBackoff: BackoffPolicy(initial: .milliseconds(10), maximum: .milliseconds(100)),
                                 beside: [], clock: ContinuousClock())
        task = Task { try await root.run() }
    }

    var devices: DeviceSupervisor<C> { tree.devices }

    /// Tells the device supervisor one device's decision.
    func decide(_ device: String, _ decision: Reconciliation.Decision) async {
        await tree.devices.apply(Reconciliation.Plan(decisions: [device: decision]))
    }

    /// The actor of `device`, once one was made.
    func actor(_ device: String) async throws -> DeviceActor<C> {
        try #require(tree.devices.device(device))
    }

    /// Tells `device` to record `spec`, and returns once its container was created and started:
    /// the device's actor, the container, and the reports that follow.
    func record(_ spec: Tier2Spec, device: String = "mic-1") async throws -> Recording<C> {
        await decide(device, .record(spec))
        let actor = try await actor(device)
        var reports = try #require(actor.reports).makeAsyncIterator()
        let id = try await awaitStarted(&reports)
        return Recording(actor: actor, containerID: id, reports: reports)
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }
}

/// A recorder a test started through its tree.
struct Recording<C: Clock<Duration>> {
    let actor: DeviceActor<C>
    let containerID: String
    var reports: AsyncStream<RecorderReport>.Iterator
}

/// Returns once `condition` holds, checked now and again after each of the engine's events
/// (no sleeping; the suite's time limit ends a wait that never ends).
func untilEngine(_ engine: InMemoryContainerEngine, _ condition: () async throws -> Bool) async throws {
    var events = engine.followEvents(labels: [:], backoff: BackoffPolicy(initial: .milliseconds(10), maximum: .seconds(1)))
        .makeAsyncIterator()
    _ = await events.next()   // subscribed: from here on, no event is missed
    while try await !condition() {
        guard await events.next() != nil else { throw CancellationError() }
    }
}

/// The running recorders' device ids.
func runningDevices(_ engine: InMemoryContainerEngine) async throws -> Set<String> {
    Set(try await engine.list(labels: ["io.silvasonic.service": "recorder"], statuses: ["running"])
        .compactMap { $0.labels["io.silvasonic.device_id"] })
}

/// Reads the next reports until `created` and `started`; returns the container id.
func awaitStarted(_ reports: inout AsyncStream<RecorderReport>.Iterator) async throws -> String {
    guard case .created(let id)? = await reports.next() else { throw NotStarted() }
    guard await reports.next() == .started(containerID: id) else { throw NotStarted() }
    return id
}

/// The recorder was not created and started as expected.
struct NotStarted: Error {}

/// A recorder spec for `device` with its workspace under `workspace`.
func recorderSpec(_ device: String = "mic-1", memory: String = "512m", workspace: String) -> Tier2Spec {
    var settings = StationSettings()
    settings.workspacePath = workspace
    settings.recorderMemoryLimit = memory
    var profile = RecorderProfileConfig(sampleRate: 48_000)
    profile.processedEnabled = false
    return StationSpecs.recorder(device: .init(id: device, workspaceName: "generic-usb-\(device)", alsaDevice: "hw:1,0"),
                                 profileSlug: "generic_usb", profile: profile, settings: settings)
}

/// A fresh scratch directory path.
func scratchWorkspace() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("silvasonic-\(UUID().uuidString)").path
}
