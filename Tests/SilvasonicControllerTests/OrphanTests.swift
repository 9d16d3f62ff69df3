import ControllerCore
import Foundation
import InMemoryBackends
import Logging
import SilvasonicController
import SilvasonicPodman
import SupervisionTesting
import Testing

@Suite("Orphaned recorders: stopped only when neither the database nor the hardware knows their device")
struct OrphanTests {
    @Test("Before the first scan nothing is an orphan; a plugged device not yet written keeps its recorder; unplugged, it is stopped")
    func orphans() async throws {
        let scratch = try await ScratchDatabase.create()
        try await DatabaseSchema.apply(scratch.client)
        let engine = InMemoryContainerEngine()
        var settings = StationSettings()
        settings.workspacePath = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
        defer { try? FileManager.default.removeItem(atPath: settings.workspacePath) }
        // A recorder left by an earlier controller, for a device the (new) database has no row of.
        let spec = ContainerSpec(name: "silvasonic-recorder-ultramic-384-evo-034f", image: settings.recorderImage,
                                 labels: ["io.silvasonic.owner": "controller", "io.silvasonic.service": "recorder",
                                          "io.silvasonic.device_id": "0869-0389-ABC034F"])
        let id = try await engine.create(spec)
        try await engine.start(id)

        let presence = HardwarePresence()
        let running = try RunningTree(engine: engine, clock: ManualClock(), store: DeviceRepository(db: scratch.client),
                                      settings: settings, presence: presence)
        defer { Task { await running.stop() } }
        let reconciler = running.tree.reconciler
        await reconciler.reconcile(reason: .nudge)
        #expect(try await engine.inspect(id).running, "not scanned yet: it may be plugged")

        presence.update(["0869-0389-ABC034F"])
        await reconciler.reconcile(reason: .hardware)
        #expect(try await engine.inspect(id).running, "plugged, its row not written yet")

        presence.update([])
        await reconciler.reconcile(reason: .hardware)
        #expect(try await engine.list(labels: ["io.silvasonic.owner": "controller"], statuses: []).isEmpty)
        try await scratch.drop()
    }
}
