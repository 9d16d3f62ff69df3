/// One row of `GET /libpod/containers/json`.
public struct ContainerSummary: Sendable, Decodable, Equatable {
    public var id: String
    public var names: [String]
    package var image: String
    /// `created`, `running`, `exited`, ...
    public var state: String
    package var labels: [String: String]

    enum CodingKeys: String, CodingKey {
        case id = "Id", names = "Names", image = "Image", state = "State", labels = "Labels"
    }

    public init(id: String, names: [String], image: String, state: String, labels: [String: String]) {
        self.id = id
        self.names = names
        self.image = image
        self.state = state
        self.labels = labels
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        names = try container.decodeIfPresent([String].self, forKey: .names) ?? []
        image = try container.decodeIfPresent(String.self, forKey: .image) ?? ""
        state = try container.decodeIfPresent(String.self, forKey: .state) ?? ""
        labels = try container.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
    }

    /// The first name, without a leading `/`.
    public var name: String {
        let first = names.first ?? ""
        return first.hasPrefix("/") ? String(first.dropFirst()) : first
    }
}

/// The parts of `GET /libpod/containers/{name}/json` the controller reads.
public struct ContainerInspection: Sendable, Decodable, Equatable {
    public var id: String
    public var name: String
    package var image: String
    package var labels: [String: String]
    /// `created`, `running`, `exited`, `stopped`, ...
    public var status: String
    public var running: Bool
    package var exitCode: Int
    /// The main process's pid, 0 when not running.
    package var pid: Int
    /// When the container last started and finished, as Podman prints them (RFC 3339).
    package var startedAt: String
    var finishedAt: String
    /// How often Podman's own restart policy restarted it.
    package var restartCount: Int
    /// The health check's status, when the image has one.
    package var health: String?
    public var host: HostSettings

    /// The limits and policies that were applied (a create spec's effect, read back).
    public struct HostSettings: Sendable, Decodable, Equatable {
        package var memoryBytes: Int
        package var cpuQuota: Int
        package var cpuPeriod: Int
        package var oomScoreAdjust: Int
        package var privileged: Bool
        package var restartPolicy: String
        package var restartRetries: Int
        package var groups: [String]
        package var binds: [String]

        enum CodingKeys: String, CodingKey {
            case memory = "Memory", cpuQuota = "CpuQuota", cpuPeriod = "CpuPeriod", oom = "OomScoreAdj"
            case privileged = "Privileged", restart = "RestartPolicy", groups = "GroupAdd", binds = "Binds"
        }

        struct Restart: Decodable { var Name: String?; var MaximumRetryCount: Int? }

        public init(memoryBytes: Int = 0, cpuQuota: Int = 0, cpuPeriod: Int = 0, oomScoreAdjust: Int = 0,
                    privileged: Bool = false, restartPolicy: String = "", restartRetries: Int = 0,
                    groups: [String] = [], binds: [String] = []) {
            self.memoryBytes = memoryBytes
            self.cpuQuota = cpuQuota
            self.cpuPeriod = cpuPeriod
            self.oomScoreAdjust = oomScoreAdjust
            self.privileged = privileged
            self.restartPolicy = restartPolicy
            self.restartRetries = restartRetries
            self.groups = groups
            self.binds = binds
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            memoryBytes = try container.decodeIfPresent(Int.self, forKey: .memory) ?? 0
            cpuQuota = try container.decodeIfPresent(Int.self, forKey: .cpuQuota) ?? 0
            cpuPeriod = try container.decodeIfPresent(Int.self, forKey: .cpuPeriod) ?? 0
            oomScoreAdjust = try container.decodeIfPresent(Int.self, forKey: .oom) ?? 0
            privileged = try container.decodeIfPresent(Bool.self, forKey: .privileged) ?? false
            let restart = try container.decodeIfPresent(Restart.self, forKey: .restart)
            restartPolicy = restart?.Name ?? ""
            restartRetries = restart?.MaximumRetryCount ?? 0
            groups = try container.decodeIfPresent([String].self, forKey: .groups) ?? []
            binds = try container.decodeIfPresent([String].self, forKey: .binds) ?? []
        }
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id", name = "Name", image = "ImageName", config = "Config", state = "State"
        case restartCount = "RestartCount", host = "HostConfig"
    }

    struct Config: Decodable { var Labels: [String: String]? }
    struct State: Decodable {
        var Status: String?
        var Running: Bool?
        var ExitCode: Int?
        var Pid: Int?
        var StartedAt: String?
        var FinishedAt: String?
        var Health: Health?
        struct Health: Decodable { var Status: String? }
    }

    public init(id: String, name: String, image: String, labels: [String: String], status: String, running: Bool,
                exitCode: Int = 0, pid: Int = 0, startedAt: String = "", finishedAt: String = "",
                restartCount: Int = 0, health: String? = nil, host: HostSettings = HostSettings()) {
        self.id = id
        self.name = name
        self.image = image
        self.labels = labels
        self.status = status
        self.running = running
        self.exitCode = exitCode
        self.pid = pid
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.restartCount = restartCount
        self.health = health
        self.host = host
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? ""
        image = try container.decodeIfPresent(String.self, forKey: .image) ?? ""
        labels = try container.decodeIfPresent(Config.self, forKey: .config)?.Labels ?? [:]
        let state = try container.decodeIfPresent(State.self, forKey: .state)
        status = state?.Status ?? ""
        running = state?.Running ?? false
        exitCode = state?.ExitCode ?? 0
        pid = state?.Pid ?? 0
        startedAt = state?.StartedAt ?? ""
        finishedAt = state?.FinishedAt ?? ""
        let healthStatus = state?.Health?.Status ?? ""
        health = healthStatus.isEmpty ? nil : healthStatus
        restartCount = try container.decodeIfPresent(Int.self, forKey: .restartCount) ?? 0
        host = try container.decode(HostSettings.self, forKey: .host)
    }
}

/// `GET /libpod/version`, the parts worth logging.
public struct PodmanVersion: Sendable, Decodable, Equatable {
    public var version: String
    var apiVersion: String

    enum CodingKeys: String, CodingKey { case version = "Version", apiVersion = "ApiVersion" }
}
