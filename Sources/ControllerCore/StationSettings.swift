/// The settings the station's containers are made from, read once from the environment with
/// the contract's defaults (contract §3 and §6). Pure: parsing returns problems instead of
/// reading anything else.
public struct StationSettings: Sendable, Hashable {
    package var network = "silvasonic-net"
    /// `SILVASONIC_WORKSPACE_PATH`, as Python's `Path` normalises it (no trailing slash).
    package var workspacePath = "/mnt/data/workspace"
    /// `SILVASONIC_RECORDER_WORKSPACE_LOCAL`: where the controller itself sees the recorder
    /// workspaces, when it runs in a container; else `{workspacePath}/recorder`.
    package var recorderWorkspaceLocal: String?
    /// The Redis URL handed to Tier 2 containers: `SILVASONIC_TIER2_REDIS_URL` when set (for
    /// a controller that reaches Redis at another address than its containers do, as on a
    /// development machine), else `SILVASONIC_REDIS_URL`, as the reference does.
    package var redisURL = "redis://localhost:6379/0"
    package var recorderImage = "localhost/silvasonic_recorder:latest"
    package var recorderMemoryLimit = "512m"
    package var recorderCPULimit = 1.0
    package var recorderOOMScoreAdjust = -999
    var recorderRestartMaxRetries = 5
    /// `SILVASONIC_RECORDER_SOUND_DEVICE`: the host path mapped into recorders.
    package var soundDevice = "/dev/snd"
    /// `SILVASONIC_CONTROLLER_OWNER`: the value of `io.silvasonic.owner` on owned containers.
    package var owner = "controller"
    /// The database settings passed on to BirdNET.
    var birdnetDatabaseHost = "database"
    var postgresUser = "silvasonic"
    var postgresPassword = "silvasonic"
    var postgresDatabase = "silvasonic"
    /// `SILVASONIC_RECORDER_HEARTBEAT_INTERVAL_S`, when set: passed on to recorders as their
    /// `SILVASONIC_HEARTBEAT_INTERVAL_S`, so the controller's watch and the recorders agree.
    /// Unset (the default) adds nothing, and the spec hashes as the reference's does.
    package var recorderHeartbeatInterval: String?

    public init() {}

    /// A setting that could not be read, with what to do about it.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        package var variable: String
        public var message: String
        public var description: String { "\(variable): \(message)" }
    }

    /// Reads the environment; a bad value keeps its default and is reported.
    public static func from(environment: [String: String]) -> (settings: StationSettings, problems: [Problem]) {
        var settings = StationSettings()
        var problems: [Problem] = []
        func text(_ name: String, _ apply: (String) -> Void) {
            if let value = environment[name], !value.isEmpty { apply(value) }
        }
        func number<T>(_ name: String, _ parse: (String) -> T?, _ rule: String, _ apply: (T) -> Void) {
            guard let value = environment[name], !value.isEmpty else { return }
            if let parsed = parse(value) { apply(parsed) } else {
                problems.append(Problem(variable: name, message: "\"\(value)\" is not \(rule); using the default"))
            }
        }
        text("SILVASONIC_NETWORK") { settings.network = $0 }
        text("SILVASONIC_WORKSPACE_PATH") { settings.workspacePath = PythonPath.normalised($0) }
        text("SILVASONIC_RECORDER_WORKSPACE_LOCAL") { settings.recorderWorkspaceLocal = $0 }
        text("SILVASONIC_REDIS_URL") { settings.redisURL = $0 }
        text("SILVASONIC_TIER2_REDIS_URL") { settings.redisURL = $0 }
        text("SILVASONIC_RECORDER_IMAGE") { settings.recorderImage = $0 }
        number("SILVASONIC_RECORDER_MEMORY_LIMIT", { MemorySize.bytes($0) != nil ? $0 : nil },
               "a memory size such as 512m or 1g") { settings.recorderMemoryLimit = $0 }
        // Podman's smallest CPU quota is 1 ms of each 100 ms period: 0.01 cores.
        number("SILVASONIC_RECORDER_CPU_LIMIT", { Double($0).flatMap { $0 >= 0.01 && $0 <= 1024 ? $0 : nil } },
               "a number of cores from 0.01 to 1024") { settings.recorderCPULimit = $0 }
        number("SILVASONIC_RECORDER_OOM_SCORE_ADJ", { Int($0).flatMap { (-1000...1000).contains($0) ? $0 : nil } },
               "an integer from -1000 to 1000") { settings.recorderOOMScoreAdjust = $0 }
        number("SILVASONIC_RECORDER_RESTART_MAX_RETRIES", { Int($0).flatMap { $0 >= 0 ? $0 : nil } },
               "a count of zero or more") { settings.recorderRestartMaxRetries = $0 }
        text("SILVASONIC_RECORDER_SOUND_DEVICE") { settings.soundDevice = $0 }
        text("SILVASONIC_CONTROLLER_OWNER") { settings.owner = $0 }
        text("SILVASONIC_DB_HOST") { settings.birdnetDatabaseHost = $0 }
        text("POSTGRES_USER") { settings.postgresUser = $0 }
        if let value = environment["POSTGRES_PASSWORD"] { settings.postgresPassword = value }
        text("POSTGRES_DB") { settings.postgresDatabase = $0 }
        number("SILVASONIC_RECORDER_HEARTBEAT_INTERVAL_S", { text in Double(text).flatMap { $0 >= 0.001 && $0 <= 86_400 ? text : nil } },
               "a number of seconds from 0.001 to 86400") { settings.recorderHeartbeatInterval = $0 }
        return (settings, problems)
    }
}

/// The bits of Python's `pathlib` the reference's paths went through.
package enum PythonPath {
    /// `str(Path(text))`: repeated and trailing slashes and `.` components dropped.
    static func normalised(_ text: String) -> String {
        let absolute = text.hasPrefix("/")
        let parts = text.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    /// `str(Path(base) / part / ...)`.
    package static func join(_ base: String, _ parts: String...) -> String {
        normalised(([base] + parts).joined(separator: "/"))
    }
}

/// Podman's memory sizes: a number with an optional `b`, `k`, `m` or `g` (binary units).
package enum MemorySize {
    /// The size in bytes, or `nil` when `text` is not a size.
    public static func bytes(_ text: String) -> Int? {
        let lower = text.lowercased()
        guard let last = lower.last else { return nil }
        let (digits, factor): (Substring, Int) = switch last {
        case "k": (lower.dropLast(), 1 << 10)
        case "m": (lower.dropLast(), 1 << 20)
        case "g": (lower.dropLast(), 1 << 30)
        case "b": (lower.dropLast(), 1)
        default: (Substring(lower), 1)
        }
        guard let value = Int(digits), value > 0 else { return nil }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: factor)
        return overflow ? nil : bytes
    }
}
