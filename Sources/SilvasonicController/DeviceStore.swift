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
    /// What a scan's sighting of a device needs, in one round trip: its record, the system
    /// settings and, for a new device, the profiles.
    func sighting(_ name: String) async throws -> Sighting
    /// Writes a plan (`.unchanged` writes nothing); the record as written, in the same round
    /// trip (`nil` when nothing was written).
    @discardableResult
    func apply(_ plan: DeviceRowPlan, now: Date) async throws -> DeviceRecord?
    /// Stores the workspace name a device's recorder uses.
    func setWorkspaceName(device: String, to name: String) async throws
    /// Names of the enabled managed services.
    func enabledServices() async throws -> Set<String>
}

extension DeviceRepository: DeviceStore {}

/// What a scan's sighting of one device reads, in one round trip (``DeviceStore/sighting(_:)``).
public struct Sighting: Sendable {
    /// The device's row with its profile's config; `nil` when the device is new.
    public var existing: DeviceRecord?
    /// `system_config['system']`, with the contract's defaults.
    public var system: SystemSettings
    /// Every profile, read only for a new device (to match it); a broken one left out and
    /// named in `problems`.
    public var profiles: [StoredProfile] = []
    public var problems: [String] = []

    public init(existing: DeviceRecord?, system: SystemSettings, profiles: [StoredProfile] = [], problems: [String] = []) {
        self.existing = existing
        self.system = system
        self.profiles = profiles
        self.problems = problems
    }
}
