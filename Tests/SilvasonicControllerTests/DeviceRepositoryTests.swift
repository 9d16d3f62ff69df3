import ControllerCore
import Foundation
import SilvasonicController
import SilvasonicIO
import SilvasonicPostgres
import InMemoryBackends
import Simulation
import SupervisionTesting
import Testing

@Suite("The device repository against the real PostgreSQL, on an empty database")
struct DeviceRepositoryTests {
    let hardware = HardwareSnapshot(alsaCardIndex: 2, alsaDevice: "hw:2,0", alsaName: "UltraMic 384K", usbVendorID: "0869",
                                    usbProductID: "0389", usbSerial: "ABC034F", usbBusPath: "1-3.2")

    @Test("The schema is created on an empty database, and applying it again changes nothing")
    func schema() async throws {
        let scratch = try await ScratchDatabase.create()
        try await DatabaseSchema.apply(scratch.client)
        try await DatabaseSchema.apply(scratch.client)
        let tables = try await scratch.client.query("""
            SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name
            """).map { try $0.decode("table_name", as: String.self) }
        #expect(tables == ["devices", "managed_services", "microphone_profiles", "system_config", "users"])
        try await scratch.drop()
    }

    @Test("A device is inserted, updated only on change, its user keys kept, and read back with its profile")
    func writeOnChange() async throws {
        let scratch = try await ScratchDatabase.create()
        let db = scratch.client
        try await DatabaseSchema.apply(db)
        try await db.query("""
            INSERT INTO microphone_profiles (slug, name, config) VALUES ('ultramic_384_evo', 'UltraMic', \
            '{"audio": {"sample_rate": 384000, "match": {"usb_vendor_id": "0869", "usb_product_id": "0389"}}, "processing": {"gain_db": 12}}')
            """)
        let repository = DeviceRepository(db: db)
        let insert = DeviceRowPlan.seen(stableID: "0869-0389-ABC034F", hardware: hardware, existing: nil,
                                        firstMatch: { .enroll(profile: "ultramic_384_evo", score: 100) })
        try await repository.apply(insert, now: Date())
        try await db.query("UPDATE devices SET config = config || '{\"note\": \"by the window\"}' WHERE name = '0869-0389-ABC034F'")

        let stored = try #require(try await repository.devices().first)
        #expect(stored.row.enrollmentStatus == "enrolled")
        #expect(stored.row.profileSlug == "ultramic_384_evo")
        #expect(stored.row.hardware == hardware)
        #expect(stored.profileConfig?["audio"]?["sample_rate"] == .int(384_000))
        #expect(DeviceRowPlan.seen(stableID: stored.row.name, hardware: hardware, existing: stored.row, firstMatch: { .noMatch }) == .unchanged)

        var moved = hardware
        moved.alsaCardIndex = 3
        moved.alsaDevice = "hw:3,0"
        try await repository.apply(DeviceRowPlan.seen(stableID: stored.row.name, hardware: moved, existing: stored.row, firstMatch: { .noMatch }), now: Date())
        let config = try #require(try await db.query("SELECT config FROM devices").first?.decode("config", as: JSONValue.self))
        #expect(config["alsa_device"] == .string("hw:3,0"))
        #expect(config["note"] == .string("by the window"), "keys a user stored stay")

        let profiles = try await repository.profiles()
        #expect(profiles.problems.isEmpty)
        #expect(profiles.profiles.first?.config.gainDB == 12)
        try await scratch.drop()
    }

    @Test("A NULL or a config of another shape is named with column and value, for that device alone")
    func unreadableRows() async throws {
        let scratch = try await ScratchDatabase.create()
        let db = scratch.client
        try await DatabaseSchema.apply(db)
        let repository = DeviceRepository(db: db)
        for (index, serial) in ["AAA", "BBB", "CCC", "DDD"].enumerated() {
            var seen = hardware
            seen.usbSerial = serial
            seen.usbBusPath = "1-\(index)"
            try await repository.apply(DeviceRowPlan.seen(stableID: "0869-0389-\(serial)", hardware: seen, existing: nil,
                                                          firstMatch: { .noMatch }), now: Date())
        }
        // A drop-in database may have lost a constraint; the controller reads what is there.
        try await db.query("ALTER TABLE devices ALTER COLUMN status DROP NOT NULL")
        try await db.query("UPDATE devices SET status = NULL WHERE name = '0869-0389-AAA'")
        try await db.query("UPDATE devices SET config = '[1, 2]' WHERE name = '0869-0389-BBB'")
        try await db.query(#"UPDATE devices SET config = config || '{"alsa_device": 5, "alsa_card_index": "two"}' WHERE name = '0869-0389-CCC'"#)

        let rows = Dictionary(uniqueKeysWithValues: try await repository.devices().map { ($0.row.name, $0.row) })
        #expect(rows["0869-0389-AAA"]?.problem == "status is NULL")
        #expect(rows["0869-0389-BBB"]?.problem == "config [1,2] is not a JSON object")
        #expect(rows["0869-0389-CCC"]?.problem
            == #"config.alsa_card_index "two" is not a whole number; config.alsa_device 5 is not a string"#)
        #expect(rows["0869-0389-DDD"]?.problem == nil)
        #expect(rows["0869-0389-DDD"]?.hardware.alsaDevice == "hw:2,0")
        try await scratch.drop()
    }

    @Test("A broken profile is named with its field and rule; the others load")
    func brokenProfile() async throws {
        let scratch = try await ScratchDatabase.create()
        try await DatabaseSchema.apply(scratch.client)
        try await scratch.client.query("""
            INSERT INTO microphone_profiles (slug, name, config) VALUES
            ('good', 'Good', '{"audio": {"sample_rate": 48000}}'),
            ('bad', 'Bad', '{"audio": {"sample_rate": 48000, "format": "MP3"}}')
            """)
        let loaded = try await DeviceRepository(db: scratch.client).profiles()
        #expect(loaded.profiles.map(\.slug) == ["good"])
        #expect(loaded.problems == ["profile bad: audio.format: one of S16LE, S24LE, S32LE"])
        try await scratch.drop()
    }

    @Test("System settings come from system_config with the contract's defaults")
    func systemSettings() async throws {
        let scratch = try await ScratchDatabase.create()
        try await DatabaseSchema.apply(scratch.client)
        let repository = DeviceRepository(db: scratch.client)
        #expect(try await repository.systemSettings() == SystemSettings())
        try await scratch.client.query("""
            INSERT INTO system_config (key, value) VALUES ('system', '{"auto_enrollment": false, "max_recorders": 2}')
            """)
        let settings = try await repository.systemSettings()
        #expect(!settings.autoEnrollment)
        #expect(settings.maxRecorders == 2)
        #expect(settings.problems.isEmpty)
        // Plain meanings of other types are taken; a value that means nothing sets no limit (a
        // limit nobody set never stops a recorder) and is named.
        try await scratch.client.query(#"UPDATE system_config SET value = '{"max_recorders": "10", "auto_enrollment": "yes"}'"#)
        let lenient = try await repository.systemSettings()
        #expect(lenient.maxRecorders == 10 && lenient.autoEnrollment)
        #expect(lenient.problems == [#"system_config.system.auto_enrollment: "yes" is not true or false; using true"#])
        try await scratch.client.query(#"UPDATE system_config SET value = '{"max_recorders": 7.0}'"#)
        #expect(try await repository.systemSettings().maxRecorders == 7)
        try await scratch.client.query(#"UPDATE system_config SET value = '{"max_recorders": "five"}'"#)
        let broken = try await repository.systemSettings()
        #expect(broken.maxRecorders == nil)
        #expect(broken.problems == [#"system_config.system.max_recorders: "five" is not a whole number >= 0; no limit until it is fixed"#])
        try await scratch.drop()
    }
}

/// Counts the store's calls: each is one statement to PostgreSQL on the scan → create path.
actor CountingStore: DeviceStore {
    let inner: DeviceRepository
    private(set) var calls: [String] = []

    init(_ inner: DeviceRepository) { self.inner = inner }

    func reset() { calls = [] }
    func devices() async throws -> [DeviceRecord] { calls.append("devices"); return try await inner.devices() }
    func devices(named names: Set<String>) async throws -> [DeviceRecord] {
        calls.append("devices(named:)")
        return try await inner.devices(named: names)
    }
    func profiles() async throws -> (profiles: [StoredProfile], problems: [String]) { calls.append("profiles"); return try await inner.profiles() }
    func systemSettings() async throws -> SystemSettings { calls.append("systemSettings"); return try await inner.systemSettings() }
    func device(_ name: String) async throws -> DeviceRow? { calls.append("device"); return try await inner.device(name) }
    func sighting(_ name: String) async throws -> Sighting { calls.append("sighting"); return try await inner.sighting(name) }
    func apply(_ plan: DeviceRowPlan, now: Date) async throws -> DeviceRecord? {
        calls.append("apply")
        return try await inner.apply(plan, now: now)
    }
    func setWorkspaceName(device: String, to name: String) async throws {
        calls.append("setWorkspaceName")
        try await inner.setWorkspaceName(device: device, to: name)
    }
    func enabledServices() async throws -> Set<String> { calls.append("enabledServices"); return try await inner.enabledServices() }
}

@Suite("A plug's round trips to PostgreSQL")
struct PlugRoundTripTests {
    @Test("A sighting reads the row, the system settings and (new device) the profiles in one query; a write returns the record")
    func sightingAndWrite() async throws {
        let scratch = try await ScratchDatabase.create()
        let db = scratch.client
        try await DatabaseSchema.apply(db)
        try await db.query("""
            INSERT INTO microphone_profiles (slug, name, config) VALUES ('ultramic_384_evo', 'UltraMic', \
            '{"audio": {"sample_rate": 384000, "match": {"usb_vendor_id": "0869", "usb_product_id": "0389"}}}'), \
            ('broken', 'Broken', '{"audio": {}}')
            """)
        try await db.query("""
            INSERT INTO system_config (key, value) VALUES ('system', '{"auto_enrollment": false, "max_recorders": 3}')
            """)
        let repository = DeviceRepository(db: db)
        let new = try await repository.sighting("0869-0389-ABC034F")
        #expect(new.existing == nil)
        #expect(new.system == SystemSettings(autoEnrollment: false, maxRecorders: 3))
        #expect(new.profiles.map(\.slug) == ["ultramic_384_evo"])
        #expect(new.problems.count == 1 && new.problems.first?.hasPrefix("profile broken:") == true, "\(new.problems)")

        let hardware = HardwareSnapshot(alsaCardIndex: 2, alsaDevice: "hw:2,0", alsaName: "UltraMic 384K", usbVendorID: "0869",
                                        usbProductID: "0389", usbSerial: "ABC034F", usbBusPath: "1-3.2")
        let written = try #require(try await repository.apply(
            DeviceRowPlan.seen(stableID: "0869-0389-ABC034F", hardware: hardware, existing: nil,
                               firstMatch: { .enroll(profile: "ultramic_384_evo", score: 100) }), now: Date()))
        #expect(written == (try await repository.devices(named: ["0869-0389-ABC034F"])).first)
        #expect(written.profileConfig?["audio"]?["sample_rate"] == .int(384_000))

        let known = try await repository.sighting("0869-0389-ABC034F")
        #expect(known.existing == written)
        #expect(known.profiles.isEmpty, "profiles are read for a new device only")
        var moved = hardware
        moved.usbBusPath = "1-4"
        let updated = try #require(try await repository.apply(
            DeviceRowPlan.seen(stableID: written.row.name, hardware: moved, existing: written.row, firstMatch: { .noMatch }),
            now: Date()))
        #expect(updated.row.hardware == moved)
        #expect(updated == (try await repository.devices(named: ["0869-0389-ABC034F"])).first)
        try await scratch.drop()
    }

    @Test("Scan → create of a new microphone: four round trips (the sighting, the row's write, the device's run reading it, its workspace name)")
    func threeRoundTrips() async throws {
        let scratch = try await ScratchDatabase.create()
        let db = scratch.client
        try await DatabaseSchema.apply(db)
        for (slug, config) in SimulatedHardware.profiles {
            try await db.query("INSERT INTO microphone_profiles (slug, name, config) VALUES ($1, $1, $2)", [.text(slug), .json(config)])
        }
        try await db.query("INSERT INTO system_config (key, value) VALUES ('system', '{\"max_recorders\": null}')")
        let store = CountingStore(DeviceRepository(db: db))
        let engine = InMemoryContainerEngine()
        var settings = StationSettings()
        settings.workspacePath = scratchWorkspace()
        defer { try? FileManager.default.removeItem(atPath: settings.workspacePath) }
        let running = try RunningTree(engine: engine, clock: ManualClock(), store: store, settings: settings)
        var hardware = SimulatedHardware()
        await running.tree.inventory.handle(hardware.plug([0]))   // the first change: a full run
        try await untilEngine(engine) { try await runningDevices(engine).count == 1 }

        await store.reset()
        await running.tree.inventory.handle(hardware.plug([1]))
        try await untilEngine(engine) { try await runningDevices(engine).count == 2 }
        #expect(await store.calls == ["sighting", "apply", "devices(named:)", "setWorkspaceName"])
        // The full run that reads the rows back wants the very same recorders: nothing replaced.
        let before = try await engine.list(labels: ["io.silvasonic.service": "recorder"], statuses: []).map(\.id).sorted()
        await running.tree.reconciler.reconcile(reason: .nudge)
        let after = try await engine.list(labels: ["io.silvasonic.service": "recorder"], statuses: []).map(\.id).sorted()
        #expect(before == after)
        #expect(try await runningDevices(engine).count == 2)
        await running.stop()
        try await scratch.drop()
    }
}
