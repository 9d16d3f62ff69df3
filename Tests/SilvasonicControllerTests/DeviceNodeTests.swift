import ControllerCore
import Foundation
import InMemoryBackends
import SilvasonicController
import SilvasonicPodman
import Simulation
import SupervisionTesting
import Testing

/// A device has a node in the tree only while it is plugged in or wants a recorder: idle rows
/// hold nothing, and a deleted row leaves nothing behind.
@Suite("Device nodes: only while a device is plugged in or wanted", .timeLimit(.minutes(3)))
struct DeviceNodeTests {
    /// Waits until `count` nodes were removed from the tree's device supervisor.
    func awaitRemovals(_ running: RunningTree<ManualClock>, _ count: Int) async throws -> [String] {
        var removals = try #require(running.devices.removals).makeAsyncIterator()
        var removed: [String] = []
        while removed.count < count {
            guard let key = await removals.next() else { break }
            removed.append(key)
        }
        return removed
    }

    @Test("1,000 rows of which 10 are plugged in: 10 device nodes; the unplugged devices' recorders stopped and their nodes gone")
    func thousandRowsTenPlugged() async throws {
        let store = InMemoryDeviceStore(profiles: SimulatedHardware.profiles)
        let engine = InMemoryContainerEngine()
        let running = try RunningTree(engine: engine, clock: ManualClock(), store: store)
        var hardware = SimulatedHardware()
        await running.tree.inventory.handle(hardware.plug(0..<1_000))
        try await untilEngine(engine) { try await runningDevices(engine).count == 1_000 }
        #expect(running.devices.supervisor.handles(as: DeviceActor<ManualClock>.self).count == 1_000)

        // 990 of them past their offline grace, as the inventory writes it.
        for index in 10..<1_000 { await store.update(SimulatedHardware.stableID(index)) { $0.status = "offline" } }
        await running.tree.reconciler.reconcile(reason: .nudge)
        let removed = try await awaitRemovals(running, 990)
        #expect(Set(removed) == Set((10..<1_000).map(SimulatedHardware.stableID)))
        let nodes = running.devices.supervisor.handles(as: DeviceActor<ManualClock>.self)
        #expect(Set(nodes.keys) == Set((0..<10).map(SimulatedHardware.stableID)))
        #expect(try await runningDevices(engine) == Set((0..<10).map(SimulatedHardware.stableID)))
        #expect(await running.devices.statuses().count == 10, "status shows the plugged devices")

        // A quiet station's periodic runs make no node for the idle rows.
        await running.tree.reconciler.reconcile(reason: .tick)
        await running.tree.reconciler.reconcile(reason: .nudge)
        #expect(running.devices.supervisor.handles(as: DeviceActor<ManualClock>.self).count == 10)
        // Plugged in again, a device gets a node and records.
        await store.update(SimulatedHardware.stableID(500)) { $0.status = "online" }
        await running.tree.reconciler.reconcile(reason: .nudge)
        try await untilEngine(engine) { try await runningDevices(engine).count == 11 }
        #expect(running.devices.device(SimulatedHardware.stableID(500)) != nil)
        await running.stop()
    }

    @Test("A deleted row of a device not plugged in: its recorder is stopped with the reason and its node goes; the others record on; plugged in, a deleted row's recorder records on")
    func deletedRow() async throws {
        let store = InMemoryDeviceStore(profiles: SimulatedHardware.profiles)
        let engine = InMemoryContainerEngine()
        let running = try RunningTree(engine: engine, clock: ManualClock(), store: store)
        var hardware = SimulatedHardware()
        await running.tree.inventory.handle(hardware.plug(0..<2))
        let (kept, deleted) = (SimulatedHardware.stableID(0), SimulatedHardware.stableID(1))
        try await untilEngine(engine) { try await runningDevices(engine) == [kept, deleted] }
        let node = try #require(running.devices.device(deleted))
        var reports = try #require(node.reports).makeAsyncIterator()

        // Unplugged (within its grace, its row still online), then its row deleted.
        await running.tree.inventory.handle(hardware.unplug([1]))
        await store.delete(deleted)
        await running.tree.reconciler.reconcile(reason: .nudge)
        #expect(try await awaitRemovals(running, 1) == [deleted])
        var stopped: StopReason?
        while stopped == nil, let report = await reports.next() {
            if case .stopping(_, let reason) = report { stopped = reason }
        }
        #expect(stopped == .unwanted(.rowDeleted))
        #expect(try await runningDevices(engine) == [kept])
        #expect(try await engine.list(labels: ["io.silvasonic.device_id": deleted], statuses: []).isEmpty)
        #expect(running.devices.device(deleted) == nil)

        // A device plugged in whose row is deleted records on (its row is written again).
        await store.delete(kept)
        await running.tree.reconciler.reconcile(reason: .nudge)
        #expect(try await runningDevices(engine) == [kept])
        #expect(running.devices.device(kept) != nil)
        await running.stop()
    }

    @Test("A plugged-in device that wants no recorder keeps its node, idle with its reason")
    func presentIdleKeepsNode() async throws {
        let store = InMemoryDeviceStore(profiles: SimulatedHardware.profiles)
        let engine = InMemoryContainerEngine()
        let running = try RunningTree(engine: engine, clock: ManualClock(), store: store)
        var hardware = SimulatedHardware()
        await running.tree.inventory.handle(hardware.plug(0..<2))
        let disabled = SimulatedHardware.stableID(1)
        try await untilEngine(engine) { try await runningDevices(engine).count == 2 }
        await store.update(disabled) { $0.enabled = false }
        await running.tree.reconciler.reconcile(reason: .nudge)
        try await untilEngine(engine) { try await runningDevices(engine).count == 1 }
        try await untilEngine(engine) { await running.devices.statuses()[disabled]?.stateName == "disabled" }
        #expect(running.devices.device(disabled) != nil)
        await running.tree.reconciler.reconcile(reason: .tick)
        #expect(running.devices.device(disabled) != nil)
        await running.stop()
    }

    @Test("A recorder an earlier controller left for a device that is not plugged in is stopped at start, and no node stays")
    func leftoverOfAnOfflineRow() async throws {
        let store = InMemoryDeviceStore(profiles: SimulatedHardware.profiles)
        let engine = InMemoryContainerEngine()
        var hardware = SimulatedHardware()
        let device = SimulatedHardware.stableID(0)
        // An earlier controller recorded it, and stopped leaving its recorder running (detach);
        // the microphone was unplugged meanwhile.
        let earlier = try RunningTree(engine: engine, clock: ManualClock(), store: store)
        await earlier.tree.inventory.handle(hardware.plug([0]))
        try await untilEngine(engine) { try await runningDevices(engine) == [device] }
        await earlier.stop()
        await store.update(device) { $0.status = "offline" }
        #expect(try await runningDevices(engine) == [device])

        let running = try RunningTree(engine: engine, clock: ManualClock(), store: store)
        await running.tree.reconciler.reconcile(reason: .nudge)
        #expect(try await awaitRemovals(running, 1) == [device])
        #expect(try await engine.list(labels: ["io.silvasonic.device_id": device], statuses: []).isEmpty)
        #expect(running.devices.supervisor.handles(as: DeviceActor<ManualClock>.self).isEmpty)
        await running.stop()
    }
}
