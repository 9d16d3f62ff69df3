import ControllerCore
import Foundation
import SilvasonicController
import SilvasonicIO
import Simulation

/// An in-memory store that counts its reads and, when armed, holds the next `devices()` until
/// the test lets it go, so a reconcile is in progress.
actor GatedStore: DeviceStore {
    let inner: InMemoryDeviceStore
    private var gate: CheckedContinuation<Void, Never>?
    private var entered: CheckedContinuation<Void, Never>?
    private var armed: Bool
    /// Full reads (`devices()`) and reads of some devices (`devices(named:)`).
    private(set) var reads = 0
    private(set) var namedReads = 0

    init(armed: Bool, profiles: [String: JSONValue] = [:],
         system: SystemSettings = SystemSettings(autoEnrollment: true, maxRecorders: nil)) {
        self.armed = armed
        inner = InMemoryDeviceStore(profiles: profiles, system: system)
    }

    /// Holds the next full read.
    func arm() { armed = true }

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

    func devices(named names: Set<String>) async throws -> [DeviceRecord] {
        namedReads += 1
        return try await inner.devices(named: names)
    }

    func profiles() async throws -> (profiles: [StoredProfile], problems: [String]) { try await inner.profiles() }
    func systemSettings() async throws -> SystemSettings { try await inner.systemSettings() }
    func device(_ name: String) async throws -> DeviceRow? { try await inner.device(name) }
    func sighting(_ name: String) async throws -> Sighting { try await inner.sighting(name) }
    func apply(_ plan: DeviceRowPlan, now: Date) async throws -> DeviceRecord? { try await inner.apply(plan, now: now) }
    func setWorkspaceName(device: String, to name: String) async throws { try await inner.setWorkspaceName(device: device, to: name) }
    func enabledServices() async throws -> Set<String> { try await inner.enabledServices() }
}
