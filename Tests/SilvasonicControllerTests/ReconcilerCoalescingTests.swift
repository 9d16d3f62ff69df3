import ControllerCore
import Foundation
import InMemoryBackends
import Logging
import SilvasonicController
import SilvasonicIO
import Simulation
import SupervisionTesting
import Testing

@Suite("Reconciles requested during a run are coalesced into one rerun that keeps the request's reason")
struct ReconcilerCoalescingTests {
    @Test("A tick in progress, then a nudge and more ticks: one rerun, announced with the nudge's reason")
    func coalescedReason() async throws {
        let store = GatedStore(armed: true)
        let engine = InMemoryContainerEngine()
        let events = LifecycleEvents()
        let registry = DeviceRegistry(engine: engine, clock: ManualClock(), owner: "test", logger: Logger(label: "test"))
        let reconciler = Reconciler(repository: store, registry: registry, engine: engine, settings: StationSettings(),
                                    logger: Logger(label: "test"), events: events)
        let first = Task { await reconciler.reconcile(reason: "tick") }
        await store.waitUntilEntered()
        await reconciler.reconcile(reason: "tick")
        await reconciler.reconcile(reason: "nudge")
        await reconciler.reconcile(reason: "tick")
        await store.release()
        await first.value
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

    func station(_ store: GatedStore) -> (InMemoryContainerEngine, Reconciler<ManualClock>, DeviceInventory<ManualClock>) {
        let engine = InMemoryContainerEngine()
        let registry = DeviceRegistry(engine: engine, clock: ManualClock(), owner: "test", logger: logger)
        let reconciler = Reconciler(repository: store, registry: registry, engine: engine, settings: StationSettings(), logger: logger)
        let inventory = DeviceInventory(repository: store, clock: ManualClock(), grace: .seconds(30), logger: logger,
                                        onChange: { reason, devices in await reconciler.reconcile(reason: reason, devices: devices) })
        return (engine, reconciler, inventory)
    }

    func running(_ engine: InMemoryContainerEngine) async throws -> Set<String> {
        Set(try await engine.list(labels: ["io.silvasonic.service": "recorder"], statuses: ["running"])
            .compactMap { $0.labels["io.silvasonic.device_id"] })
    }

    @Test("The first change runs in full; a microphone plugged after it reads only its row, and its recorder runs")
    func pluggedAlone() async throws {
        let store = GatedStore(armed: false, profiles: SimulatedHardware.profiles)
        let (engine, reconciler, inventory) = station(store)
        var hardware = SimulatedHardware()
        await inventory.handle(hardware.plug(0..<3))
        #expect(await store.reads == 1, "nothing to plan against yet: a full run")
        #expect(await store.namedReads == 0)
        await inventory.handle(hardware.plug([3]))
        #expect(await store.reads == 1)
        #expect(await store.namedReads == 1)
        #expect(try await running(engine) == Set((0...3).map(SimulatedHardware.stableID)))
        #expect(await reconciler.completedRuns == 2)
        // The periodic run afterwards reads every row (the safety net for changes nobody announced).
        await reconciler.reconcile(reason: "tick")
        #expect(await store.reads == 2)
    }

    @Test("Under a max_recorders limit: a device's own run while the limit is not reached, a full run when it would be")
    func limitRunsInFull() async throws {
        let store = GatedStore(armed: false, profiles: SimulatedHardware.profiles,
                               system: SystemSettings(autoEnrollment: true, maxRecorders: 3))
        let (engine, _, inventory) = station(store)
        var hardware = SimulatedHardware()
        await inventory.handle(hardware.plug(0..<2))
        await inventory.handle(hardware.plug([2]))
        #expect(await store.reads == 1, "three of three: the limit holds without the others")
        #expect(await store.namedReads == 1)
        await inventory.handle(hardware.plug([3]))
        #expect(await store.reads == 2, "a fourth would pass the limit: the full run decides who records")
        #expect(try await running(engine).count == 3)
        await inventory.handle(hardware.unplug([0]))
        await inventory.handle(hardware.plug([4]))
        #expect(await store.reads == 3, "the limit bound at the last full run: every change runs in full")
        #expect(try await running(engine).count == 3)
    }

    @Test("A device's request during a full run gets its own run after it; a full request pending covers it")
    func coalescing() async throws {
        let store = GatedStore(armed: true, profiles: SimulatedHardware.profiles)
        let (_, reconciler, _) = station(store)
        let first = Task { await reconciler.reconcile(reason: "tick") }
        await store.waitUntilEntered()
        await reconciler.reconcile(reason: "hardware", devices: ["a"])
        await store.release()
        await first.value
        #expect(await store.reads == 1)
        #expect(await store.namedReads == 1, "the row may have been written after the full run read it")

        await store.arm()
        let second = Task { await reconciler.reconcile(reason: "tick") }
        await store.waitUntilEntered()
        await reconciler.reconcile(reason: "hardware", devices: ["a"])
        await reconciler.reconcile(reason: "nudge")
        await store.release()
        await second.value
        #expect(await store.reads == 3, "the rerun reads every row")
        #expect(await store.namedReads == 1, "…the device's among them")
    }
}
