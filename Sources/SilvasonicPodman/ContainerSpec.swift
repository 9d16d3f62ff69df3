/// What a container is made from: the body of `POST /libpod/containers/create` (libpod's
/// SpecGenerator) for the fields the controller sets, encoded with libpod's own key names.
///
/// It covers the contract's recorder and worker containers: image, name, labels, environment,
/// bind mounts with options, devices, supplementary groups, privileged mode, network, memory and
/// CPU limits, `oom_score_adj` and the restart policy.
public struct ContainerSpec: Sendable, Hashable, Encodable {
    public var name: String
    package var image: String
    package var labels: [String: String]
    public var environment: [String: String]
    /// Overrides the image's command when set.
    public var command: [String]?
    package var mounts: [BindMount]
    /// Host device paths (`/dev/snd`), mapped to the same path inside.
    public var devices: [String]
    /// Supplementary groups, by name (resolved inside the image) or number.
    package var groups: [String]
    package var privileged: Bool
    /// Networks to join in bridge mode; empty keeps Podman's default network.
    package var networks: [String]
    /// The memory limit in bytes.
    package var memoryLimitBytes: Int?
    /// CPU time per ``cpuPeriodMicroseconds``, in microseconds (100000 per period is one core).
    public var cpuQuotaMicroseconds: Int?
    /// The CPU accounting period, 100000 µs by default.
    package var cpuPeriodMicroseconds: Int
    /// The kernel's OOM-killer bias (-1000...1000); negative values need privileges the engine may lack.
    package var oomScoreAdjust: Int?
    package var restartPolicy: RestartPolicy

    public init(name: String, image: String, labels: [String: String] = [:], environment: [String: String] = [:],
                command: [String]? = nil, mounts: [BindMount] = [], devices: [String] = [], groups: [String] = [],
                privileged: Bool = false, networks: [String] = [], memoryLimitBytes: Int? = nil,
                cpuQuotaMicroseconds: Int? = nil, cpuPeriodMicroseconds: Int = 100_000, oomScoreAdjust: Int? = nil,
                restartPolicy: RestartPolicy = .no) {
        self.name = name
        self.image = image
        self.labels = labels
        self.environment = environment
        self.command = command
        self.mounts = mounts
        self.devices = devices
        self.groups = groups
        self.privileged = privileged
        self.networks = networks
        self.memoryLimitBytes = memoryLimitBytes
        self.cpuQuotaMicroseconds = cpuQuotaMicroseconds
        self.cpuPeriodMicroseconds = cpuPeriodMicroseconds
        self.oomScoreAdjust = oomScoreAdjust
        self.restartPolicy = restartPolicy
    }

    /// A host directory bound into the container.
    public struct BindMount: Sendable, Hashable {
        package var source: String
        package var destination: String
        /// Mount options such as `z` (relabel) or `ro`; `rbind` is added.
        public var options: [String]

        public init(source: String, destination: String, options: [String] = []) {
            self.source = source
            self.destination = destination
            self.options = options
        }
    }

    /// What the engine does when the container exits.
    public enum RestartPolicy: Sendable, Hashable {
        case no
        case onFailure(maxRetries: Int)
        case always
        case unlessStopped
    }

    enum CodingKeys: String, CodingKey {
        case name, image, labels, env, command, mounts, devices, groups, privileged, netns
        case networks = "Networks", resourceLimits = "resource_limits", oomScoreAdjust = "oom_score_adj"
        case restartPolicy = "restart_policy", restartTries = "restart_tries"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(image, forKey: .image)
        try container.encode(labels, forKey: .labels)
        try container.encode(environment, forKey: .env)
        try container.encodeIfPresent(command, forKey: .command)
        try container.encode(mounts.map { LibpodMount(mount: $0) }, forKey: .mounts)
        try container.encode(devices.map { ["path": $0] }, forKey: .devices)
        try container.encode(groups, forKey: .groups)
        try container.encode(privileged, forKey: .privileged)
        if !networks.isEmpty {
            try container.encode(["nsmode": "bridge"], forKey: .netns)
            try container.encode(Dictionary(uniqueKeysWithValues: networks.map { ($0, EmptyObject()) }), forKey: .networks)
        }
        if memoryLimitBytes != nil || cpuQuotaMicroseconds != nil {
            try container.encode(ResourceLimits(
                memory: memoryLimitBytes.map { ResourceLimits.Memory(limit: $0) },
                cpu: cpuQuotaMicroseconds.map { ResourceLimits.CPU(quota: $0, period: cpuPeriodMicroseconds) }),
                forKey: .resourceLimits)
        }
        try container.encodeIfPresent(oomScoreAdjust, forKey: .oomScoreAdjust)
        switch restartPolicy {
        case .no: try container.encode("no", forKey: .restartPolicy)
        case .always: try container.encode("always", forKey: .restartPolicy)
        case .unlessStopped: try container.encode("unless-stopped", forKey: .restartPolicy)
        case .onFailure(let retries):
            try container.encode("on-failure", forKey: .restartPolicy)
            try container.encode(retries, forKey: .restartTries)
        }
    }

    private struct LibpodMount: Encodable {
        var destination: String
        var source: String
        var type = "bind"
        var options: [String]

        init(mount: BindMount) {
            destination = mount.destination
            source = mount.source
            options = ["rbind"] + mount.options
        }
    }

    private struct EmptyObject: Encodable {}

    private struct ResourceLimits: Encodable {
        struct Memory: Encodable { var limit: Int }
        struct CPU: Encodable { var quota: Int; var period: Int }
        var memory: Memory?
        var cpu: CPU?
    }
}
