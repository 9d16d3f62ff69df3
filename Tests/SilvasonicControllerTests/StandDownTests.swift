import ControllerCore
import InMemoryBackends
import SilvasonicController
import Simulation
import SupervisionTesting
import Testing

@Suite("Standing down: every recorder stopped and none started until resumed")
struct StandDownTests {
    @Test("Stood down, a microphone plugged, ticks and nudges start nothing; resumed, every recorder runs again")
    func standDownAndResume() async throws {
        let store = GatedStore(armed: false, profiles: SimulatedHardware.profiles)
        let engine = InMemoryContainerEngine()
        let running = try RunningTree(engine: engine, clock: ManualClock(), store: store)
        defer { Task { await running.stop() } }
        let reconciler = running.tree.reconciler, inventory = running.tree.inventory
        var hardware = SimulatedHardware()
        await inventory.handle(hardware.plug(0..<2))
        let first = Set((0..<2).map(SimulatedHardware.stableID))
        try await untilEngine(engine) { try await runningDevices(engine) == first }

        await reconciler.standDown(true)
        #expect(await reconciler.stoodDown)
        try await untilEngine(engine) { try await runningDevices(engine).isEmpty }
        await inventory.handle(hardware.plug([2]))
        await reconciler.reconcile(reason: .tick)
        await reconciler.reconcile(reason: .nudge)
        let statuses = await running.tree.devices.statuses()
        #expect(statuses.count == 3)
        #expect(statuses.values.allSatisfy { $0.stateName == "stood_down" }, "\(statuses.values.map(\.stateName))")
        #expect(statuses[SimulatedHardware.stableID(0)]?.lastStop == "stood down by an operator")
        #expect(try await runningDevices(engine).isEmpty)

        await reconciler.standDown(false)
        try await untilEngine(engine) { try await runningDevices(engine) == first.union([SimulatedHardware.stableID(2)]) }
        #expect(await reconciler.stoodDown == false)
    }
}
