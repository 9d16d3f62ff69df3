import Foundation
package import Logging
package import SilvasonicPostgres
import SilvasonicIO

/// Runs the contract's seeders in order — config defaults, profiles, managed services, admin
/// user — each insert-if-absent with `INSERT ... ON CONFLICT DO NOTHING`, so a value a user
/// changed is never overwritten. Each failure is logged and leaves the others standing.
package struct StationSeeder: Sendable {
    /// Where the seeds come from.
    package struct Sources: Sendable {
        /// `SILVASONIC_PROFILES_DIR` (`profiles`): the `*.yml` profile seeds.
        package var profilesDirectory: String
        /// `SILVASONIC_DEFAULTS_FILE` (`deploy/config/defaults.yml`).
        package var defaultsFile: String
        /// `SILVASONIC_OVERRIDES_FILE` (unset): merged over the defaults when set.
        package var overridesFile: String?

        public init(profilesDirectory: String = "profiles", defaultsFile: String = "deploy/config/defaults.yml",
                    overridesFile: String? = nil) {
            self.profilesDirectory = profilesDirectory
            self.defaultsFile = defaultsFile
            self.overridesFile = overridesFile
        }

        /// Reads the three settings.
        public init(environment: [String: String]) {
            self.init()
            if let value = environment["SILVASONIC_PROFILES_DIR"], !value.isEmpty { profilesDirectory = value }
            if let value = environment["SILVASONIC_DEFAULTS_FILE"], !value.isEmpty { defaultsFile = value }
            if let value = environment["SILVASONIC_OVERRIDES_FILE"], !value.isEmpty { overridesFile = value }
        }
    }

    /// What one run did, for the log and the tests.
    package struct Report: Sendable, Equatable {
        public var inserted: [String] = []
        /// Files and sections that were skipped, and seeders that failed.
        package var problems: [String] = []
        /// The seeders that failed on the database (worth another run once it answers).
        package var failedSteps: [String] = []
    }

    public let db: PostgresClient
    package let sources: Sources
    public let logger: Logger

    public init(db: PostgresClient, sources: Sources, logger: Logger) {
        self.db = db
        self.sources = sources
        self.logger = logger
    }

    /// Reads the defaults (and overrides) and the profile files: what they hold, and every problem.
    public func load() -> (defaults: StationDefaults, profiles: [ProfileSeedFile], problems: [String]) {
        var problems: [String] = []
        var document = JSONValue.null
        do { document = try YAMLDocument.read(sources.defaultsFile) } catch {
            problems.append("defaults \(sources.defaultsFile): \(error)")
        }
        if let overrides = sources.overridesFile {
            do { document = StationDefaults.merge(document, try YAMLDocument.read(overrides)) } catch {
                problems.append("overrides \(overrides): \(error); the defaults alone apply")
            }
        }
        let (defaults, defaultProblems) = StationDefaults.from(document)
        problems += defaultProblems.map { "defaults: \($0)" }
        let (profiles, profileProblems) = Self.profiles(in: sources.profilesDirectory)
        return (defaults, profiles, problems + profileProblems.map { "profiles: \($0)" })
    }

    /// Every valid `*.yml`/`*.yaml` file of `directory`, in name order; a file with the slug of an
    /// earlier one is skipped.
    public static func profiles(in directory: String) -> (profiles: [ProfileSeedFile], problems: [String]) {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            let absolute = URL(fileURLWithPath: directory).standardizedFileURL.path
            return ([], ["\(absolute): the directory cannot be read (\(systemReason(error)))"])
        }
        var profiles: [ProfileSeedFile] = []
        var problems: [String] = []
        var slugs: [String: String] = [:]
        for name in names.sorted() where name.hasSuffix(".yml") || name.hasSuffix(".yaml") {
            let path = directory + "/" + name
            do {
                let profile = try ProfileSeedFile.validate(YAMLDocument.read(path), file: path)
                if let first = slugs[profile.slug] {
                    problems.append("\(path): slug: \"\(profile.slug)\" is already seeded by \(first); skipped")
                    continue
                }
                slugs[profile.slug] = path
                profiles.append(profile)
            } catch let problem as ProfileSeedFile.Problem {
                problems.append("\(problem); skipped")
            } catch {
                problems.append("\(path): \(error); skipped")
            }
        }
        return (profiles, problems)
    }

    /// Loads the seeds and inserts what is absent.
    @discardableResult
    public func run() async -> Report {
        let (defaults, profiles, problems) = load()
        var report = Report(problems: problems)
        for problem in problems { logger.warning("seed skipped", metadata: ["problem": "\(problem)"]) }

        await step("config defaults", into: &report) {
            try await insertEach(defaults.systemConfig.sorted(by: { $0.key < $1.key }), sql: """
                INSERT INTO system_config (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING key
                """) { key, value in ("system_config \(key)", [.text(key), .json(value)]) }
        }
        await step("profiles", into: &report) {
            try await insertEach(profiles, sql: """
                INSERT INTO microphone_profiles (slug, name, description, match_pattern, config, is_system)
                VALUES ($1, $2, $3, NULL, $4::jsonb, true) ON CONFLICT (slug) DO NOTHING RETURNING slug
                """) { profile in
                ("profile \(profile.slug)", [.text(profile.slug), .text(profile.name),
                                             profile.description.map(PostgresValue.text) ?? .null,
                                             .text(profile.config.recorderEnvironmentValue)])
            }
        }
        await step("managed services", into: &report) {
            try await insertEach(defaults.managedServices.sorted(by: { $0.key < $1.key }), sql: """
                INSERT INTO managed_services (name, enabled) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING name
                """) { name, enabled in ("managed service \(name)", [.text(name), .bool(enabled)]) }
        }
        await step("admin user", into: &report) {
            guard let username = defaults.adminUsername, let password = defaults.adminPassword else { return [] }
            guard try await db.query("SELECT 1 FROM users WHERE username = $1", [.text(username)]).isEmpty else { return [] }
            let hash = try PasswordHash.bcrypt(password)
            let rows = try await db.query("""
                INSERT INTO users (username, password_hash) VALUES ($1, $2) ON CONFLICT (username) DO NOTHING RETURNING id
                """, [.text(username), .text(hash)])
            return rows.isEmpty ? [] : ["user \(username)"]
        }
        if !report.inserted.isEmpty { logger.info("seeded", metadata: ["inserted": "\(report.inserted.joined(separator: ", "))"]) }
        return report
    }

    /// Runs an insert-if-absent `sql` (with `RETURNING`) for each item; the names of those inserted.
    private func insertEach<Item>(_ items: [Item], sql: String,
                                  _ parameters: (Item) -> (name: String, values: [PostgresValue])) async throws -> [String] {
        var inserted: [String] = []
        for item in items {
            let (name, values) = parameters(item)
            if try await !db.query(sql, values).isEmpty { inserted.append(name) }
        }
        return inserted
    }

    private func step(_ name: String, into report: inout Report, _ body: () async throws -> [String]) async {
        do {
            report.inserted += try await body()
        } catch {
            report.problems.append("\(name): \(error)")
            report.failedSteps.append(name)
            logger.error("seeding failed; the other seeders go on", metadata: ["seeder": "\(name)", "error": "\(error)"])
        }
    }
}
