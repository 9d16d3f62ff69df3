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
    /// A store whose first `devices()` waits until the test lets it go, so a run is in progress.
    actor GatedStore: DeviceStore {
        let inner = InMemoryDeviceStore(profiles: [:])
        private var gate: CheckedContinuation<Void, Never>?
        private var entered: CheckedContinuation<Void, Never>?
        private var armed = true
        private(set) var reads = 0

        func waitUntilEntered() async {
            if gate != nil { return }
            await withCheckedContinuation { entered = $0 }
        }

        func release() {
            gate?.resume()
            gate = nil
        }

        func devices() async throws -> [DeviceRecord] {
            reads += 1
            if armed {
                armed = false
                await withCheckedContinuation { continuation in
                    gate = continuation
                    entered?.resume()
                    entered = nil
                }
            }
            return try await inner.devices()
        }

        func profiles() async throws -> (profiles: [StoredProfile], problems: [String]) { try await inner.profiles() }
        func systemSettings() async throws -> SystemSettings { try await inner.systemSettings() }
        func device(_ name: String) async throws -> DeviceRow? { try await inner.device(name) }
        func apply(_ plan: DeviceRowPlan, now: Date) async throws { try await inner.apply(plan, now: now) }
        func setWorkspaceName(device: String, to name: String) async throws { try await inner.setWorkspaceName(device: device, to: name) }
        func enabledServices() async throws -> Set<String> { try await inner.enabledServices() }
    }

    @Test("A tick in progress, then a nudge and more ticks: one rerun, announced with the nudge's reason")
    func coalescedReason() async throws {
        let store = GatedStore()
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
