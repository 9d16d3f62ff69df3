import ControllerCore
import Foundation
import SilvasonicHardware
import SilvasonicIO
import SilvasonicPodman
import SilvasonicPostgres
import SilvasonicRedis
import Synchronization

/// `silvasonic-controller check`: the environment, the seed files and each backend, one line
/// per finding, each problem with what to do about it.
package enum StationCheck {
    /// One finding.
    package struct Line: Sendable, Equatable, CustomStringConvertible {
        public var ok: Bool
        var subject: String
        public var message: String
        /// Worth knowing, but no problem: the station runs (`ok` stays `true`).
        package var warning = false
        /// One line, whatever the backend's message held.
        public var description: String {
            let flat = message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            return "\(ok ? (warning ? "warning" : "ok     ") : "PROBLEM") \(subject): \(flat)"
        }

        public init(ok: Bool, subject: String, message: String, warning: Bool = false) {
            self.ok = ok
            self.subject = subject
            self.message = message
            self.warning = warning
        }
    }

    /// Runs every check; each backend gets `timeout` to answer.
    public static func run(environment: [String: String], timeout: Duration = .seconds(5)) async -> [Line] {
        var lines: [Line] = []
        func ok(_ subject: String, _ message: String) { lines.append(Line(ok: true, subject: subject, message: message)) }
        func problem(_ subject: String, _ message: String) { lines.append(Line(ok: false, subject: subject, message: message)) }
        func warning(_ subject: String, _ message: String) {
            lines.append(Line(ok: true, subject: subject, message: message, warning: true))
        }

        let settings: ControllerSettings
        do { settings = try ControllerSettings(environment: environment) } catch {
            problem("settings", "\(error); fix SILVASONIC_REDIS_URL (redis://host:port/db)")
            return lines
        }
        for message in settings.problems { problem("settings", message + "; fix the variable or unset it") }
        if settings.problems.isEmpty { ok("settings", "every SILVASONIC_* variable read") }

        // Seeds: read without a database.
        let seeder = StationSeeder.Sources(environment: environment)
        let (profiles, profileProblems) = StationSeeder.profiles(in: seeder.profilesDirectory)
        for message in profileProblems {
            problem("profiles", message + (profiles.isEmpty && profileProblems.count == 1 && message.contains("the directory cannot be read")
                ? "; set SILVASONIC_PROFILES_DIR to the profiles folder" : " (fix the file; the others are seeded)"))
        }
        if !profiles.isEmpty { ok("profiles", "\(profiles.count) valid in \(seeder.profilesDirectory)") }
        if profiles.isEmpty, profileProblems.isEmpty {
            problem("profiles", "no *.yml in \(seeder.profilesDirectory); set SILVASONIC_PROFILES_DIR to the profiles folder")
        }
        var document = JSONValue.null
        do { document = try YAMLDocument.read(seeder.defaultsFile) } catch {
            problem("defaults", "\(seeder.defaultsFile): \(error); set SILVASONIC_DEFAULTS_FILE to the defaults file")
        }
        if let overrides = seeder.overridesFile {
            do { document = StationDefaults.merge(document, try YAMLDocument.read(overrides)) } catch {
                problem("overrides", "\(overrides): \(error); fix it or unset SILVASONIC_OVERRIDES_FILE")
            }
        }
        let (_, defaultProblems) = StationDefaults.from(document)
        for message in defaultProblems { problem("defaults", message) }
        if document != .null, defaultProblems.isEmpty { ok("defaults", "\(seeder.defaultsFile) read") }

        // Hardware.
        let roots = settings.hardwareRoots
        let cards = roots.procfs + "/asound/cards"
        if !FileManager.default.isReadableFile(atPath: cards) {
            warning("hardware", "\(cards) cannot be read: no ALSA here, or the wrong SILVASONIC_PROCFS_ROOT; no microphone will be seen")
        } else {
            let scan = DeviceScanner(roots: roots).scan()
            if scan.devices.isEmpty {
                warning("hardware", "no USB microphone under \(roots.procfs) and \(roots.sysfs); the controller records one when it is plugged in")
            } else {
                ok("hardware", "\(scan.devices.count) USB audio device(s) under \(roots.procfs)")
            }
            for found in scan.problems { warning("hardware", "\(found)") }
        }

        // Where the recorders' workspaces are made.
        let workspaces = settings.station.recorderWorkspaceLocal ?? PythonPath.join(settings.station.workspacePath, "recorder")
        if let failure = Self.writable(workspaces) {
            problem("workspace", "\(workspaces): \(failure); mount it writable or set SILVASONIC_WORKSPACE_PATH")
        } else {
            ok("workspace", "\(workspaces) is writable")
        }

        // Backends, each within the timeout.
        let db = PostgresClient(configuration: settings.postgres)
        if let failure = await within(timeout, { _ = try await db.query("SELECT 1") }) {
            problem("database", "\(settings.postgres): \(failure); check SILVASONIC_DB_HOST, SILVASONIC_DB_PORT and POSTGRES_*")
        } else {
            ok("database", "\(settings.postgres) answers")
        }
        await db.close()
        let redis = RedisClient(configuration: settings.redis)
        if let failure = await within(timeout, { _ = try await redis.ping() }) {
            problem("redis", "\(settings.redis): \(failure); check SILVASONIC_REDIS_URL")
        } else {
            ok("redis", "\(settings.redis) answers")
        }
        let podman = PodmanClient(configuration: settings.podman)
        if let failure = await within(timeout, { _ = try await podman.ping() }) {
            problem("podman", "\(settings.podman): \(failure); check SILVASONIC_CONTAINER_SOCKET and that the Podman service runs")
        } else {
            ok("podman", "\(settings.podman) answers")
            let network = settings.station.network
            switch await result(timeout, { try await podman.networkExists(network) }) {
            case .success(true): ok("network", "\(network) exists")
            case .success(false): problem("network", "\(network) does not exist; create it (podman network create \(network)) or set SILVASONIC_NETWORK")
            case .failure(let failure): problem("network", "\(network): \(failure)")
            }
            let image = settings.station.recorderImage
            switch await result(timeout, { try await podman.imageExists(image) }) {
            case .success(true): ok("image", "\(image) is in Podman's storage")
            case .success(false): problem("image", "\(image) is not in Podman's storage; build or pull it, or set SILVASONIC_RECORDER_IMAGE")
            case .failure(let failure): problem("image", "\(image): \(failure)")
            }
        }
        return lines
    }

    /// Why the controller cannot create workspaces under `directory` (made when missing, a
    /// file written and removed); `nil` when it can.
    static func writable(_ directory: String) -> String? {
        let probe = directory + "/.silvasonic-check-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: probe, contents: Data()) else { return "a file cannot be created there" }
            try FileManager.default.removeItem(atPath: probe)
            return nil
        } catch {
            return error.localizedDescription
        }
    }

    /// `nil` when `body` finished within `timeout`, else what went wrong.
    static func within(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> Void) async -> String? {
        switch await result(timeout, body) {
        case .success: nil
        case .failure(let failure): failure
        }
    }

    enum Outcome<Value: Sendable>: Sendable {
        case success(Value)
        case failure(String)
    }

    /// Whichever comes first: the body's outcome, or the timeout. A body stuck in a blocking
    /// call is left behind (the command exits after the report), so `check` never hangs on it.
    static func result<Value: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> Value) async -> Outcome<Value> {
        let waiter = Mutex<CheckedContinuation<Outcome<Value>, Never>?>(nil)
        let finish: @Sendable (Outcome<Value>) -> Void = { outcome in waiter.withLock { $0.take() }?.resume(returning: outcome) }
        return await withCheckedContinuation { continuation in
            waiter.withLock { $0 = continuation }
            let work = Task {
                do { finish(.success(try await body())) } catch { finish(.failure("\(error)")) }
            }
            Task {
                // Cancelled or not, the timeout's end is reported; a finished body was first.
                try? await Task.sleep(for: timeout)
                finish(.failure("no answer within \(timeout)"))
                work.cancel()
            }
        }
    }
}
