public import ControllerCore
public import Foundation

/// What the device inventory and the reconciler read and write of the desired state: the
/// station database through ``DeviceRepository``, or a store in memory for the simulation
/// (`Simulation.InMemoryDeviceStore`), so the tree runs unchanged on either.
public protocol DeviceStore: Sendable {
    /// Every profile; a broken one left out and named in `problems`.
    func profiles() async throws -> (profiles: [StoredProfile], problems: [String])
    /// `system_config['system']` with the contract's defaults.
    func systemSettings() async throws -> SystemSettings
    /// Every device with its profile's config.
    func devices() async throws -> [DeviceRecord]
    /// The named devices with their profiles' config; names without a row are left out.
    func devices(named names: Set<String>) async throws -> [DeviceRecord]
    /// One device's row.
    func device(_ name: String) async throws -> DeviceRow?
    /// Writes a plan (`.unchanged` writes nothing).
    func apply(_ plan: DeviceRowPlan, now: Date) async throws
    /// Stores the workspace name a device's recorder uses.
    func setWorkspaceName(device: String, to name: String) async throws
    /// Names of the enabled managed services.
    func enabledServices() async throws -> Set<String>
}

extension DeviceRepository: DeviceStore {}
