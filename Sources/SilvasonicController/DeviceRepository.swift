public import ControllerCore
package import Foundation
public import SilvasonicIO
package import SilvasonicPostgres

/// A profile as stored, decoded for the recorder.
public struct StoredProfile: Sendable, Hashable {
    public var slug: String
    public var config: RecorderProfileConfig

    public init(slug: String, config: RecorderProfileConfig) {
        self.slug = slug
        self.config = config
    }
}

/// The station-wide settings of `system_config` key `system` that the controller reads.
public struct SystemSettings: Sendable, Hashable {
    package var autoEnrollment = true
    /// `nil`: no limit.
    package var maxRecorders: Int? = 5
    /// Values of the wrong type, each naming the key and the value and what stands in for it.
    package var problems: [String] = []

    /// The contract's defaults: auto-enrollment on, at most 5 recorders.
    public init(autoEnrollment: Bool = true, maxRecorders: Int? = 5) {
        self.autoEnrollment = autoEnrollment
        self.maxRecorders = maxRecorders
    }
}

/// A device row with what the reconciler needs of its profile.
public struct DeviceRecord: Sendable, Hashable {
    public var row: DeviceRow
    /// The profile's config as stored, `nil` without a profile or when the profile row is gone.
    package var profileConfig: JSONValue?

    public init(row: DeviceRow, profileConfig: JSONValue?) {
        self.row = row
        self.profileConfig = profileConfig
    }
}

/// The controller's reads and writes of the station database, each one parameterised
/// statement; every method throws ``PostgresError`` and leaves the caller to fail static.
package struct DeviceRepository: Sendable {
    public let db: PostgresClient

    public init(db: PostgresClient) {
        self.db = db
    }

    /// Every profile; a broken one is left out and named in `problems`.
    public func profiles() async throws -> (profiles: [StoredProfile], problems: [String]) {
        var profiles: [StoredProfile] = []
        var problems: [String] = []
        for row in try await db.query("SELECT slug, config FROM microphone_profiles ORDER BY slug") {
            let slug = try row.decode("slug", as: String.self)
            do {
                profiles.append(StoredProfile(slug: slug, config: try ProfileConfigDecoding.decode(row.decode("config", as: JSONValue.self))))
            } catch {
                problems.append("profile \(slug): \(error)")
            }
        }
        return (profiles, problems)
    }

    /// `system_config['system']`, with the contract's defaults for what is missing.
    package func systemSettings() async throws -> SystemSettings {
        let settings = SystemSettings()
        let rows = try await db.query("SELECT value FROM system_config WHERE key = 'system'")
        guard let value = try rows.first?.decode("value", as: JSONValue.self) else { return settings }
        return Self.systemSettings(from: value)
    }

    /// `system_config['system']` read as the contract's types, leniently where the meaning is
    /// plain (`"10"`, `10.0`) and failing static where it is not: a `max_recorders` that is not
    /// a whole number >= 0 sets no limit (a limit nobody set must never stop a recorder), and is
    /// named in ``SystemSettings/problems``.
    static func systemSettings(from value: JSONValue) -> SystemSettings {
        var settings = SystemSettings()
        switch value["auto_enrollment"] {
        case .bool(let flag)?: settings.autoEnrollment = flag
        case nil: break
        case let other?:
            settings.problems.append("system_config.system.auto_enrollment: \(shown(other)) is not true or false; using true")
        }
        switch value["max_recorders"] {
        case .int(let limit)? where limit >= 0: settings.maxRecorders = limit
        case .double(let limit)? where limit >= 0 && limit == limit.rounded() && limit < 1e9: settings.maxRecorders = Int(limit)
        case .string(let text)? where Int(text).map { $0 >= 0 } == true: settings.maxRecorders = Int(text)
        case .null?: settings.maxRecorders = nil
        case nil: break
        case let other?:
            settings.maxRecorders = nil
            settings.problems.append("system_config.system.max_recorders: \(shown(other)) is not a whole number >= 0; "
                + "no limit until it is fixed")
        }
        return settings
    }

    /// Every device, with its profile's stored config: the desired state in one query.
    public func devices() async throws -> [DeviceRecord] {
        try await devices(where: "", [])
    }

    /// The columns of a device record: the row's, and its profile's config.
    private static let recordColumns = """
        d.name, d.serial_number, d.model, d.status, d.enrollment_status, d.enabled, d.profile_slug,
        d.workspace_name, d.config, p.config AS profile_config
        """

    private func devices(where filter: String, _ parameters: [PostgresValue]) async throws -> [DeviceRecord] {
        let rows = try await db.query("""
            SELECT \(Self.recordColumns)
            FROM devices d LEFT JOIN microphone_profiles p ON p.slug = d.profile_slug
            \(filter)
            ORDER BY d.name
            """, parameters)
        return try rows.compactMap(Self.record)
    }

    /// A device record from a row of ``recordColumns``; `nil` when its name is NULL (no device).
    private static func record(_ row: PostgresRow) throws -> DeviceRecord? {
        guard let name = try row.decode("name", as: String?.self) else { return nil }
        // A NULL or a config of another shape holds this device alone (fail static): every
        // column is read as optional, and what is missing or wrong is named.
        var problems: [String] = []
        func required<T: PostgresDecodable>(_ column: String, _ placeholder: T) throws -> T {
            guard let value = try row.decode(column, as: T?.self) else {
                problems.append("\(column) is NULL")
                return placeholder
            }
            return value
        }
        let serial = try required("serial_number", ""), model = try required("model", "")
        let status = try required("status", "offline"), enrollment = try required("enrollment_status", "pending")
        let enabled = try required("enabled", false)
        let (hardware, configProblem) = Self.hardware(try row.decode("config", as: JSONValue?.self))
        if let configProblem { problems.append(configProblem) }
        return DeviceRecord(
            row: DeviceRow(
                name: name, serialNumber: serial, model: model, status: status,
                enrollmentStatus: enrollment, enabled: enabled, profileSlug: try row.decode("profile_slug"),
                workspaceName: try row.decode("workspace_name"), hardware: hardware,
                readProblem: problems.isEmpty ? nil : problems.joined(separator: "; ")),
            profileConfig: try row.decode("profile_config", as: JSONValue?.self))
    }

    /// What a scan's sighting of `name` needs, in one query: its record, the system settings,
    /// and, for a new device, every profile to match it against.
    package func sighting(_ name: String) async throws -> Sighting {
        let rows = try await db.query("""
            SELECT \(Self.recordColumns),
                   (SELECT value FROM system_config WHERE key = 'system') AS system,
                   CASE WHEN d.name IS NULL THEN
                       (SELECT jsonb_agg(jsonb_build_object('slug', slug, 'config', config) ORDER BY slug)
                        FROM microphone_profiles)
                   END AS profiles
            FROM (SELECT 1) AS one
            LEFT JOIN devices d ON d.name = $1
            LEFT JOIN microphone_profiles p ON p.slug = d.profile_slug
            """, [.text(name)])
        guard let row = rows.first else { throw PostgresError(code: .queryFailed, message: "the sighting query returned no row") }
        let system = try row.decode("system", as: JSONValue?.self).map(Self.systemSettings(from:)) ?? SystemSettings()
        var sighting = Sighting(existing: try Self.record(row), system: system)
        if case .array(let entries)? = try row.decode("profiles", as: JSONValue?.self) {
            for entry in entries {
                let slug = entry["slug"]?.stringValue ?? "?"
                do {
                    sighting.profiles.append(StoredProfile(slug: slug, config: try ProfileConfigDecoding.decode(entry["config"] ?? .null)))
                } catch {
                    sighting.problems.append("profile \(slug): \(error)")
                }
            }
        }
        return sighting
    }

    /// The named devices with their profiles' config (one query; names without a row left out).
    public func devices(named names: Set<String>) async throws -> [DeviceRecord] {
        try await devices(where: "WHERE d.name IN (SELECT jsonb_array_elements_text($1::jsonb))",
                          [.json(.array(names.sorted().map(JSONValue.string)))])
    }

    /// One device's row, or `nil` when the device is new.
    public func device(_ name: String) async throws -> DeviceRow? {
        try await devices(where: "WHERE d.name = $1", [.text(name)]).first?.row
    }

    /// Writes a plan; `.unchanged` writes nothing. The seven hardware keys are merged into
    /// `config` (`||`), so keys a user stored stay. A new device whose serial another device's
    /// row holds is stored with its serial qualified (``DeviceRowPlan/qualifiedSerial(_:hardware:)``).
    /// - Returns: the record as written, in the same round trip (`nil` when nothing was written).
    @discardableResult
    package func apply(_ plan: DeviceRowPlan, now: Date) async throws -> DeviceRecord? {
        switch plan {
        case .unchanged:
            return nil
        case .insert(let row):
            if let written = try await insert(row, serial: row.serialNumber, now: now) { return written }
            if try await device(row.name) != nil { return nil }   // known already
            // Another device's row holds the serial (another model that ships the same one).
            let qualified = DeviceRowPlan.qualifiedSerial(row.serialNumber, hardware: row.hardware)
            if let written = try await insert(row, serial: qualified, now: now) { return written }
            guard try await device(row.name) != nil else {
                throw PostgresError(code: .queryFailed, message: "device \(row.name): serial_number \(row.serialNumber) "
                    + "and \(qualified) are both held by other devices' rows")
            }
            return nil
        case .update(let row):
            return try await db.query("""
                WITH d AS (
                    UPDATE devices SET serial_number = $2, model = $3, status = $4, last_seen = $5, config = config || $6
                    WHERE name = $1
                    RETURNING *
                )
                SELECT \(Self.recordColumns) FROM d LEFT JOIN microphone_profiles p ON p.slug = d.profile_slug
                """, [.text(row.name), .text(row.serialNumber), .text(row.model), .text(row.status), .timestamp(now),
                      .json(Self.json(row.hardware))]).compactMap(Self.record).first
        }
    }

    /// Inserts `row` with `serial`: the record as written, or `nil` when a row holds its name or
    /// the serial already.
    private func insert(_ row: DeviceRow, serial: String, now: Date) async throws -> DeviceRecord? {
        try await db.query("""
            WITH d AS (
                INSERT INTO devices (name, serial_number, model, status, enrollment_status, last_seen, enabled, profile_slug, config)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                ON CONFLICT DO NOTHING
                RETURNING *
            )
            SELECT \(Self.recordColumns) FROM d LEFT JOIN microphone_profiles p ON p.slug = d.profile_slug
            """, [.text(row.name), .text(serial), .text(row.model), .text(row.status),
                  .text(row.enrollmentStatus), .timestamp(now), .bool(row.enabled),
                  row.profileSlug.map(PostgresValue.text) ?? .null, .json(Self.json(row.hardware))]).compactMap(Self.record).first
    }

    /// Stores the workspace name a device's recorder uses.
    package func setWorkspaceName(device: String, to name: String) async throws {
        try await db.query("UPDATE devices SET workspace_name = $2 WHERE name = $1 AND workspace_name IS DISTINCT FROM $2",
                           [.text(device), .text(name)])
    }

    /// Names of the enabled `managed_services`.
    package func enabledServices() async throws -> Set<String> {
        Set(try await db.query("SELECT name FROM managed_services WHERE enabled").map { try $0.decode("name", as: String.self) })
    }

    /// The hardware snapshot in `devices.config` (contract §1: an object whose seven keys are
    /// each null or of their type; other keys are the user's), and what in it is not that shape.
    static func hardware(_ config: JSONValue?) -> (HardwareSnapshot, problem: String?) {
        let none = HardwareSnapshot(alsaCardIndex: nil, alsaDevice: nil, alsaName: nil, usbVendorID: nil, usbProductID: nil,
                                    usbSerial: nil, usbBusPath: nil)
        guard let config else { return (none, "config is NULL") }
        guard case .object(let fields) = config else { return (none, "config \(shown(config)) is not a JSON object") }
        var wrong: [String] = []
        func text(_ key: String) -> String? {
            switch fields[key] {
            case nil, .null?: return nil
            case .string(let value)?: return value
            case let other?:
                wrong.append("config.\(key) \(shown(other)) is not a string")
                return nil
            }
        }
        var cardIndex: Int?
        switch fields["alsa_card_index"] {
        case nil, .null?: break
        case .int(let index)?: cardIndex = index
        case let other?: wrong.append("config.alsa_card_index \(shown(other)) is not a whole number")
        }
        let snapshot = HardwareSnapshot(
            alsaCardIndex: cardIndex, alsaDevice: text("alsa_device"), alsaName: text("alsa_name"),
            usbVendorID: text("usb_vendor_id"), usbProductID: text("usb_product_id"), usbSerial: text("usb_serial"),
            usbBusPath: text("usb_bus_path"))
        return (snapshot, wrong.isEmpty ? nil : wrong.joined(separator: "; "))
    }

    /// A stored JSON value as a message shows it: compact, at most 64 characters.
    static func shown(_ value: JSONValue) -> String {
        let text = String(decoding: (try? JSONEncoder().encode(value)) ?? Data(), as: UTF8.self)
        return String(text.prefix(64))
    }

    static func json(_ hardware: HardwareSnapshot) -> JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return .object([
            "alsa_card_index": hardware.alsaCardIndex.map(JSONValue.int) ?? .null,
            "alsa_device": text(hardware.alsaDevice), "alsa_name": text(hardware.alsaName),
            "usb_vendor_id": text(hardware.usbVendorID), "usb_product_id": text(hardware.usbProductID),
            "usb_serial": text(hardware.usbSerial), "usb_bus_path": text(hardware.usbBusPath),
        ])
    }
}
