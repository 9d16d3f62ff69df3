package import ControllerCore
package import Foundation
package import SilvasonicController
package import SilvasonicIO

/// The desired state in memory, behind the same ``DeviceStore`` protocol as the station
/// database's ``DeviceRepository``: profiles, device rows, system settings and managed
/// services, so the inventory and the reconciler run unchanged in the simulation.
package actor InMemoryDeviceStore: DeviceStore {
    private var profileConfigs: [String: JSONValue]
    private var rows: [String: DeviceRow] = [:]
    /// Which row holds each `serial_number` (the UNIQUE column), kept with the rows: an insert
    /// looks its serial up instead of reading every row (10,000 inserts were 10^8 reads).
    private var serialHolders: [String: String] = [:]
    private var system: SystemSettings
    private var services: Set<String>
    /// Set to make every call fail, as a database outage does.
    private var reachable = true
    /// Writes made (inserts and updates).
    public private(set) var writes = 0

    public init(profiles: [String: JSONValue], system: SystemSettings = SystemSettings(autoEnrollment: true, maxRecorders: nil),
                services: Set<String> = []) {
        profileConfigs = profiles
        self.system = system
        self.services = services
    }

    /// An outage (`false`) or its end.
    public func setReachable(_ value: Bool) { reachable = value }

    /// Changes a device as a user would (enable, disable, ignore).
    package func update(_ name: String, _ change: (inout DeviceRow) -> Void) {
        guard var row = rows[name] else { return }
        change(&row)
        store(row)
    }

    /// Deletes a device's row, as a user would.
    package func delete(_ name: String) {
        guard let row = rows.removeValue(forKey: name) else { return }
        if serialHolders[row.serialNumber] == name { serialHolders[row.serialNumber] = nil }
    }

    /// Stores `row`, keeping the serial index with it.
    private func store(_ row: DeviceRow) {
        if let old = rows[row.name]?.serialNumber, old != row.serialNumber, serialHolders[old] == row.name {
            serialHolders[old] = nil
        }
        rows[row.name] = row
        serialHolders[row.serialNumber] = row.name
    }

    private func require() throws {
        guard reachable else { throw SimulatedOutage(backend: "database") }
    }

    public func profiles() async throws -> (profiles: [StoredProfile], problems: [String]) {
        try require()
        var profiles: [StoredProfile] = []
        var problems: [String] = []
        for (slug, config) in profileConfigs.sorted(by: { $0.key < $1.key }) {
            do { profiles.append(StoredProfile(slug: slug, config: try ProfileConfigDecoding.decode(config))) } catch {
                problems.append("profile \(slug): \(error)")
            }
        }
        return (profiles, problems)
    }

    package func systemSettings() async throws -> SystemSettings {
        try require()
        return system
    }

    public func devices() async throws -> [DeviceRecord] {
        try require()
        return rows.values.sorted { $0.name < $1.name }.map { row in
            DeviceRecord(row: row, profileConfig: row.profileSlug.flatMap { profileConfigs[$0] })
        }
    }

    public func devices(named names: Set<String>) async throws -> [DeviceRecord] {
        try require()
        return names.sorted().compactMap { rows[$0] }.map { row in
            DeviceRecord(row: row, profileConfig: row.profileSlug.flatMap { profileConfigs[$0] })
        }
    }

    public func device(_ name: String) async throws -> DeviceRow? {
        try require()
        return rows[name]
    }

    package func sighting(_ name: String) async throws -> Sighting {
        try require()
        let existing = rows[name].map { DeviceRecord(row: $0, profileConfig: $0.profileSlug.flatMap { profileConfigs[$0] }) }
        var sighting = Sighting(existing: existing, system: system)
        if existing == nil { (sighting.profiles, sighting.problems) = try await profiles() }
        return sighting
    }

    @discardableResult
    package func apply(_ plan: DeviceRowPlan, now: Date) async throws -> DeviceRecord? {
        try require()
        let name: String
        switch plan {
        case .unchanged: return nil
        case .insert(var row):
            guard rows[row.name] == nil else { return nil }
            name = row.name
            // As the UNIQUE serial_number makes PostgreSQL's store do: a serial another row holds
            // is stored qualified.
            if serialHolders[row.serialNumber] != nil {
                let qualified = DeviceRowPlan.qualifiedSerial(row.serialNumber, hardware: row.hardware)
                guard serialHolders[qualified] == nil else { throw SerialsTaken(device: row.name) }
                row.serialNumber = qualified
            }
            store(row)
        case .update(let row):
            guard var existing = rows[row.name] else { return nil }
            name = row.name
            existing.serialNumber = row.serialNumber
            existing.model = row.model
            existing.status = row.status
            existing.hardware = row.hardware
            store(existing)
        }
        writes += 1
        return rows[name].map { DeviceRecord(row: $0, profileConfig: $0.profileSlug.flatMap { profileConfigs[$0] }) }
    }

    package func setWorkspaceName(device: String, to name: String) async throws {
        try require()
        rows[device]?.workspaceName = name
    }

    package func enabledServices() async throws -> Set<String> {
        try require()
        return services
    }
}

/// A simulated backend outage.
package struct SimulatedOutage: Error, CustomStringConvertible {
    public var backend: String
    public var description: String { "\(backend) unreachable (simulated outage)" }
}

/// Both the serial of a new device and its qualified form are held by other rows.
package struct SerialsTaken: Error, CustomStringConvertible {
    public var device: String
    public var description: String { "device \(device): its serial_number and its qualified form are both held by other devices' rows" }
}
