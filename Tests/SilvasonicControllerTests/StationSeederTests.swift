import Foundation
import Logging
import SilvasonicController
import SilvasonicIO
import SilvasonicPostgres
import TestSupport
import Testing

@Suite("Seeding the station's database: defaults, profiles, managed services, admin user")
struct StationSeederTests {
    static let repository = ScratchServer.repositoryRoot

    /// A directory of files for one test, removed afterwards by the caller.
    static func directory(_ files: [String: String]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(TestServices.uniqueName("seeds")).path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, text) in files { try Data(text.utf8).write(to: URL(fileURLWithPath: path + "/" + name)) }
        return path
    }

    static func seeder(_ db: PostgresClient, profiles: String = repository + "/profiles", overrides: String? = nil) -> StationSeeder {
        StationSeeder(db: db, sources: .init(profilesDirectory: profiles, defaultsFile: repository + "/deploy/config/defaults.yml",
                                             overridesFile: overrides), logger: Logger(label: "test"))
    }

    @Test("An empty database gets the eight profiles, the system defaults, BirdNET and a bcrypt admin; a second run inserts nothing")
    func emptyDatabase() async throws {
        let scratch = try await ScratchDatabase.create()
        let db = scratch.client
        try await DatabaseSchema.apply(db)
        let report = await Self.seeder(db).run()
        #expect(report.problems.isEmpty, "\(report.problems)")
        let slugs = try await db.query("SELECT slug FROM microphone_profiles WHERE is_system ORDER BY slug").map { try $0.decode("slug", as: String.self) }
        #expect(slugs == ["audiomoth_usb", "behringer_uphoria", "focusrite_scarlett", "generic_usb", "pettersson_m500",
                          "rode_nt_usb", "ultramic_192k", "ultramic_384_evo"])
        let evo = try #require(try await db.query("SELECT config FROM microphone_profiles WHERE slug = 'ultramic_384_evo'").first)
        let config = try evo.decode("config", as: JSONValue.self)
        #expect(config["audio"]?["sample_rate"] == .int(384_000))
        #expect(config["audio"]?["match"]?["usb_product_id"] == .string("0389"))
        #expect(config["stream"]?["live_stream_enabled"] == .bool(true))
        #expect(config["processing"]?["chunk_size"] == .int(8192))
        let generic = try #require(try await db.query("SELECT config FROM microphone_profiles WHERE slug = 'generic_usb'").first)
        #expect(try generic.decode("config", as: JSONValue.self)["stream"]?["processed_enabled"] == .bool(false))

        let system = try #require(try await db.query("SELECT value FROM system_config WHERE key = 'system'").first)
        #expect(try system.decode("value", as: JSONValue.self) == .object([
            "latitude": .null, "longitude": .null, "max_recorders": .int(5), "station_name": .string("Silvasonic MVP"),
            "auto_enrollment": .bool(true),
        ]))
        #expect(try await db.query("SELECT enabled FROM managed_services WHERE name = 'birdnet'").first?.decode("enabled", as: Bool.self) == true)

        let hash = try #require(try await db.query("SELECT password_hash FROM users WHERE username = 'admin'").first?
            .decode("password_hash", as: String.self))
        #expect(hash.hasPrefix("$2b$12$"))
        #expect(hash.count == 60)
        // An independent check: Python's crypt module verifies the hash.
        let python = try await Subprocess.run("/usr/bin/env", ["python3", "-W", "ignore", "-c",
            "import crypt, sys; print(crypt.crypt(sys.argv[1], sys.argv[2]) == sys.argv[2])", "silvasonic", hash])
        #expect(python.output.trimmingCharacters(in: .whitespacesAndNewlines) == "True")
        #expect(PasswordHash.verify("silvasonic", against: hash))
        #expect(!PasswordHash.verify("Silvasonic", against: hash))

        let again = await Self.seeder(db).run()
        #expect(again.inserted.isEmpty)
        #expect(try await db.query("SELECT password_hash FROM users").first?.decode("password_hash", as: String.self) == hash)
        try await scratch.drop()
    }

    @Test("A pre-filled database: what a user changed stays; only what is missing is inserted")
    func preFilledDatabase() async throws {
        let scratch = try await ScratchDatabase.create()
        let db = scratch.client
        try await DatabaseSchema.apply(db)
        try await db.query(#"INSERT INTO system_config (key, value) VALUES ('system', '{"station_name": "Forest 3", "max_recorders": 2}')"#)
        try await db.query(#"INSERT INTO microphone_profiles (slug, name, config) VALUES ('ultramic_384_evo', 'Mine', '{"audio": {"sample_rate": 250000}}')"#)
        try await db.query("INSERT INTO managed_services (name, enabled) VALUES ('birdnet', false)")
        try await db.query("INSERT INTO users (username, password_hash) VALUES ('admin', 'kept')")

        let report = await Self.seeder(db).run()
        #expect(report.problems.isEmpty)
        #expect(report.inserted.sorted() == ["profile audiomoth_usb", "profile behringer_uphoria", "profile focusrite_scarlett",
                                             "profile generic_usb", "profile pettersson_m500", "profile rode_nt_usb",
                                             "profile ultramic_192k"])
        #expect(try await db.query("SELECT value FROM system_config").first?.decode("value", as: JSONValue.self)["station_name"]
            == .string("Forest 3"))
        #expect(try await db.query("SELECT name FROM microphone_profiles WHERE slug = 'ultramic_384_evo'").first?
            .decode("name", as: String.self) == "Mine")
        #expect(try await db.query("SELECT enabled FROM managed_services").first?.decode("enabled", as: Bool.self) == false)
        #expect(try await db.query("SELECT password_hash FROM users").first?.decode("password_hash", as: String.self) == "kept")
        try await scratch.drop()
    }

    @Test("The override file is really applied: merged mapping by mapping, a null included")
    func overrides() async throws {
        let scratch = try await ScratchDatabase.create()
        let db = scratch.client
        try await DatabaseSchema.apply(db)
        let dir = try Self.directory(["overrides.yml": """
            system_config:
              system:
                station_name: Hedge 7
                latitude: 52.5
                longitude: null
            managed_services:
              birdnet: false
            auth:
              default_username: operator
              default_password: s3cret
            """])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let report = await Self.seeder(db, overrides: dir + "/overrides.yml").run()
        #expect(report.problems.isEmpty)
        let system = try await db.query("SELECT value FROM system_config").first?.decode("value", as: JSONValue.self)
        #expect(system == .object(["latitude": .double(52.5), "longitude": .null, "max_recorders": .int(5),
                                   "station_name": .string("Hedge 7"), "auto_enrollment": .bool(true)]))
        #expect(try await db.query("SELECT enabled FROM managed_services").first?.decode("enabled", as: Bool.self) == false)
        let hash = try #require(try await db.query("SELECT password_hash FROM users WHERE username = 'operator'").first?
            .decode("password_hash", as: String.self))
        #expect(PasswordHash.verify("s3cret", against: hash))
        try await scratch.drop()
    }

    @Test("Bad profile files are named by file, field and rule and skipped; one failing seeder leaves the others standing")
    func badInput() async throws {
        let scratch = try await ScratchDatabase.create()
        let db = scratch.client
        try await DatabaseSchema.apply(db)
        let dir = try Self.directory([
            "a_good.yml": "slug: good_mic\nname: Good\naudio:\n  sample_rate: 48000\n",
            "b_rate.yml": "slug: bad_rate\nname: Bad\naudio:\n  sample_rate: fast\n",
            "c_format.yml": "slug: bad_format\nname: Bad\naudio:\n  sample_rate: 48000\n  format: MP3\n",
            "d_twice.yml": "slug: good_mic\nname: Again\naudio:\n  sample_rate: 44100\n",
            "e_yaml.yml": "slug: [unclosed\n",
            "f_slug.yml": "slug: \"Bad Slug!\"\nname: X\naudio:\n  sample_rate: 48000\n",
            "g_noname.yml": "slug: nameless\naudio:\n  sample_rate: 48000\n",
            "notes.txt": "not a profile",
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // The users table is gone: the admin seeder fails, the others go on.
        try await db.query("DROP TABLE users")
        let report = await Self.seeder(db, profiles: dir).run()
        #expect(report.inserted.contains("profile good_mic"))
        #expect(report.inserted.contains("system_config system"))
        #expect(report.inserted.contains("managed service birdnet"))
        #expect(report.failedSteps == ["admin user"])
        let problems = report.problems.joined(separator: "\n")
        #expect(problems.contains(dir + "/b_rate.yml: audio.sample_rate: required, an integer above 0; skipped"))
        #expect(problems.contains(dir + "/c_format.yml: audio.format: one of S16LE, S24LE, S32LE; skipped"))
        #expect(problems.contains(dir + "/d_twice.yml: slug: \"good_mic\" is already seeded by " + dir + "/a_good.yml; skipped"))
        #expect(problems.contains(dir + "/e_yaml.yml: not valid YAML"))
        #expect(problems.contains(dir + "/f_slug.yml: slug: lowercase letters, digits and _ only"))
        #expect(problems.contains(dir + "/g_noname.yml: name: required text"))
        #expect(!problems.contains("notes.txt"))
        #expect(try await db.query("SELECT slug FROM microphone_profiles").map { try $0.decode("slug", as: String.self) } == ["good_mic"])
        try await scratch.drop()
    }

    @Test("A missing defaults file or profiles folder is reported; nothing else stops")
    func missingFiles() async throws {
        let scratch = try await ScratchDatabase.create()
        let db = scratch.client
        try await DatabaseSchema.apply(db)
        let seeder = StationSeeder(db: db, sources: .init(profilesDirectory: "/nonexistent/profiles",
                                                          defaultsFile: "/nonexistent/defaults.yml"), logger: Logger(label: "test"))
        let report = await seeder.run()
        #expect(report.inserted.isEmpty)
        #expect(report.failedSteps.isEmpty)
        #expect(report.problems == [
            "defaults /nonexistent/defaults.yml: cannot be read (No such file or directory)",
            "profiles: /nonexistent/profiles: the directory cannot be read (No such file or directory)",
        ], "each problem once, with the path and the system's reason")
        try await scratch.drop()
    }
}

@Suite("Defaults and overrides as values")
struct StationDefaultsTests {
    @Test("Merging replaces leaves and merges mappings; unknown sections and wrong shapes are named")
    func merge() throws {
        let base = try YAMLDocument.parse("system_config:\n  system: {a: 1, b: {c: 2, d: 3}}\nmanaged_services: {birdnet: true}\n")
        let override = try YAMLDocument.parse("system_config:\n  system: {b: {d: null}, e: x}\nmanaged_services: {birdnet: false, other: yes}\n")
        let merged = StationDefaults.merge(base, override)
        #expect(merged["system_config"]?["system"] == .object(["a": .int(1), "b": .object(["c": .int(2), "d": .null]), "e": .string("x")]))
        #expect(StationDefaults.merge(base, .null) == base)
        let (defaults, problems) = StationDefaults.from(merged)
        #expect(defaults.managedServices == ["birdnet": false, "other": true])
        #expect(problems.isEmpty)
        let (_, wrong) = StationDefaults.from(try YAMLDocument.parse("managed_services: {birdnet: maybe}\nauth: {default_username: admin}\nextra: 1\n"))
        #expect(wrong == ["managed_services.birdnet: true or false",
                          "auth: default_username and default_password, both non-empty text",
                          "extra: not a section this controller knows (ignored)"])
    }

    @Test("bcrypt hashes are salted, cost-bearing and verifiable")
    func bcrypt() throws {
        let first = try PasswordHash.bcrypt("correct horse", cost: 4)
        let second = try PasswordHash.bcrypt("correct horse", cost: 4)
        #expect(first.hasPrefix("$2b$04$"))
        #expect(first != second, "a fresh salt each time")
        #expect(PasswordHash.verify("correct horse", against: second))
        #expect(!PasswordHash.verify("correct horse", against: "not a hash"))
        #expect(throws: PasswordHash.Failure.self) { try PasswordHash.bcrypt("x", cost: 40) }
    }
}
