import ControllerCore
import Foundation
import InMemoryBackends
import Logging
import SilvasonicController
import SilvasonicPodman
import SupervisionTesting
import Testing

@Suite("The singleton worker (BirdNET) runs when managed_services wants it")
struct WorkerTests {
    @Test("Enabled: the BirdNET container is created from the contract's spec; disabled: it is stopped and removed; its events reach it")
    func birdnet() async throws {
        let engine = InMemoryContainerEngine()
        let registry = DeviceRegistry(engine: engine, clock: ManualClock(), owner: "controller", logger: Logger(label: "test"))
        var settings = StationSettings()
        settings.workspacePath = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
        defer { try? FileManager.default.removeItem(atPath: settings.workspacePath) }
        let spec = StationSpecs.birdnet(settings: settings)
        await registry.applyWorkers(["birdnet": spec])
        let running = try await engine.list(labels: ["io.silvasonic.service": "birdnet"], statuses: ["running"])
        #expect(running.map(\.name) == ["silvasonic-birdnet"])
        #expect(running.first?.labels["io.silvasonic.config_hash"] == spec.configHash)
        #expect(FileManager.default.fileExists(atPath: settings.workspacePath + "/birdnet"))
        #expect(await registry.runningDevices().isEmpty, "a worker is not a device")

        await registry.applyWorkers(["birdnet": nil])
        #expect(try await engine.list(labels: ["io.silvasonic.service": "birdnet"], statuses: []).isEmpty)
    }

    @Test("A BirdNET container left running by an earlier controller is found and stopped when not wanted")
    func leftOver() async throws {
        let engine = InMemoryContainerEngine()
        let spec = StationSpecs.birdnet(settings: StationSettings())
        let id = try await engine.create(spec.podmanSpec)
        try await engine.start(id)
        let registry = DeviceRegistry(engine: engine, clock: ManualClock(), owner: "controller", logger: Logger(label: "test"))
        await registry.applyWorkers(["birdnet": nil])
        #expect(try await engine.list(labels: ["io.silvasonic.service": "birdnet"], statuses: []).isEmpty)
    }
}
