import ControllerCore
import Foundation
import InMemoryBackends
import Logging
import SilvasonicController
import SilvasonicIO
import Simulation
import SupervisionTesting
import Testing

@Suite("Reconciles requested during a run are coalesced into one rerun that keeps the request's reason, in the reconciler's own loop")
struct ReconcilerCoalescingTests {
    @Test("A tick in progress, then a nudge and more ticks: one rerun, announced with the nudge's reason")
    func coalescedReason() async throws {
        let store = GatedStore(armed: true)
        let engine = InMemoryContainerEngine()
        let events = LifecycleEvents()
        let running = try RunningTree(engine: engine, clock: ManualClock(), store: store, events: events)
        defer { Task { await running.stop() } }
        let reconciler = running.tree.reconciler
        let first = Task { await reconciler.reconcile(reason: .tick) }
        await store.waitUntilEntered()
        await reconciler.request(.tick)
        await reconciler.request(.nudge)
        await reconciler.request(.tick)
        await store.release()
        await first.value
        await reconciler.settled()
        #expect(await store.reads == 2, "the first run and one rerun")
        #expect(await reconciler.completedRuns == 2)
        var announced = events.stream.makeAsyncIterator()
        let event = await announced.next()
        #expect(event?["event"] == "reconcile")
        #expect(event?["reason"] == "nudge")
    }
}

@Suite("A device's own reconcile: its row alone is read and planned")
struct ReconcilerDeviceRunTests {
    let logger = Logger(label: "test")

    func station(_ store: GatedStore) throws -> (InMemoryContainerEngine, Reconciler<ManualClock>, DeviceInventory<ManualClock>,
                                                  RunningTree<ManualClock>) {
        let engine = InMemoryContainerEngine()
        let running = try RunningTree(engine: engine, clock: ManualClock(), store: store, logger: logger)
        return (engine, running.tree.reconciler, running.tree.inventory, running)
    }

    @Test("The first change runs in full; a microphone plugged after it reads only its row, and its recorder runs")
    func pluggedAlone() async throws {
        let store = GatedStore(armed: false, profiles: SimulatedHardware.profiles)
        let (engine, reconciler, inventory, tree) = try station(store)
        var hardware = SimulatedHardware()
        await inventory.handle(hardware.plug(0..<3))
        #expect(await store.reads == 1, "nothing to plan against yet: a full run")
        #expect(await store.namedReads == 0)
        await inventory.handle(hardware.plug([3]))
        #expect(await store.reads == 1)
        #expect(await store.namedReads == 1)
        try await untilEngine(engine) { try await runningDevices(engine) == Set((0...3).map(SimulatedHardware.stableID)) }
        #expect(await reconciler.completedRuns == 2)
        // The periodic run afterwards reads every row (the safety net for changes nobody announced).
        await reconciler.reconcile(reason: .tick)
        #expect(await store.reads == 2)
        await tree.stop()
    }

    @Test("Under a max_recorders limit: a device's own run while the limit is not reached, a full run when it would be")
    func limitRunsInFull() async throws {
        let store = GatedStore(armed: false, profiles: SimulatedHardware.profiles,
                               system: SystemSettings(autoEnrollment: true, maxRecorders: 3))
        let (engine, _, inventory, tree) = try station(store)
        var hardware = SimulatedHardware()
        await inventory.handle(hardware.plug(0..<2))
        await inventory.handle(hardware.plug([2]))
        #expect(await store.reads == 1, "three of three: the limit holds without the others")
        #expect(await store.namedReads == 1)
        await inventory.handle(hardware.plug([3]))
        #expect(await store.reads == 2, "a fourth would pass the limit: the full run decides who records")
        try await untilEngine(engine) { try await runningDevices(engine).count == 3 }
        await inventory.handle(hardware.unplug([0]))
        await inventory.handle(hardware.plug([4]))
        #expect(await store.reads == 3, "the limit bound at the last full run: every change runs in full")
        #expect(try await runningDevices(engine).count == 3)
        await tree.stop()
    }

    @Test("A device's request during a full run gets its own run after it; a full request pending covers it")
    func coalescing() async throws {
        let store = GatedStore(armed: true, profiles: SimulatedHardware.profiles)
        let (_, reconciler, _, tree) = try station(store)
        defer { Task { await tree.stop() } }
        let first = Task { await reconciler.reconcile(reason: .tick) }
        await store.waitUntilEntered()
        await reconciler.request(.hardware, devices: ["a"])
        await store.release()
        await first.value
        await reconciler.settled()
        #expect(await store.reads == 1)
        #expect(await store.namedReads == 1, "the row may have been written after the full run read it")

        await store.arm()
        let second = Task { await reconciler.reconcile(reason: .tick) }
        await store.waitUntilEntered()
        await reconciler.request(.hardware, devices: ["a"])
        await reconciler.request(.nudge)
        await store.release()
        await second.value
        await reconciler.settled()
        #expect(await store.reads == 3, "the rerun reads every row")
        #expect(await store.namedReads == 1, "…the device's among them")
    }
}
