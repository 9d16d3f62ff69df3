import Crypto

/// A Tier 2 container as the contract describes it (contract §3): the reference controller's
/// `Tier2ServiceSpec`, field for field, so that its ``configHash`` is byte-exact with the hash
/// the Python controller put on the containers it made.
public struct Tier2Spec: Sendable, Hashable {
    /// A bind mount; `controllerSource` is where the controller itself creates the directory.
    public struct Mount: Sendable, Hashable {
        public var source: String
        public var target: String
        public var readOnly: Bool
        public var controllerSource: String?

        public init(source: String, target: String, readOnly: Bool, controllerSource: String?) {
            self.source = source
            self.target = target
            self.readOnly = readOnly
            self.controllerSource = controllerSource
        }
    }

    public var image: String
    public var name: String
    public var network: String
    public var environment: [String: String]
    /// Labels, ``configHash`` among them once ``labelled()`` was called; not hashed.
    public var labels: [String: String]
    public var mounts: [Mount]
    /// `host:container` device mappings.
    public var devices: [String]
    public var groupAdd: [String]
    public var privileged: Bool
    public var restartPolicyName: String
    public var restartMaxRetries: Int
    /// A Podman memory size such as `512m` (binary units).
    public var memoryLimit: String
    /// Cores, `1.0` = one.
    public var cpuLimit: Double
    public var oomScoreAdjust: Int

    public init(image: String, name: String, network: String, environment: [String: String], labels: [String: String],
                mounts: [Mount], devices: [String], groupAdd: [String], privileged: Bool, restartPolicyName: String,
                restartMaxRetries: Int, memoryLimit: String, cpuLimit: Double, oomScoreAdjust: Int) {
        self.image = image
        self.name = name
        self.network = network
        self.environment = environment
        self.labels = labels
        self.mounts = mounts
        self.devices = devices
        self.groupAdd = groupAdd
        self.privileged = privileged
        self.restartPolicyName = restartPolicyName
        self.restartMaxRetries = restartMaxRetries
        self.memoryLimit = memoryLimit
        self.cpuLimit = cpuLimit
        self.oomScoreAdjust = oomScoreAdjust
    }

    /// The label that carries ``configHash``.
    public static let configHashLabel = "io.silvasonic.config_hash"

    /// Everything but the labels, as the reference's `model_dump(exclude={"labels"})`.
    public var hashedJSON: OrderedJSON {
        .object([
            .init("image", .string(image)),
            .init("name", .string(name)),
            .init("network", .string(network)),
            .init("environment", .object(environment.map { .init($0.key, .string($0.value)) })),
            .init("mounts", .array(mounts.map { mount in
                .object([
                    .init("source", .string(mount.source)),
                    .init("target", .string(mount.target)),
                    .init("read_only", .bool(mount.readOnly)),
                    .init("controller_source", mount.controllerSource.map(OrderedJSON.string) ?? .null),
                ])
            })),
            .init("devices", .array(devices.map(OrderedJSON.string))),
            .init("group_add", .array(groupAdd.map(OrderedJSON.string))),
            .init("privileged", .bool(privileged)),
            .init("restart_policy", .object([
                .init("name", .string(restartPolicyName)),
                .init("max_retry_count", .int(restartMaxRetries)),
            ])),
            .init("memory_limit", .string(memoryLimit)),
            .init("cpu_limit", .float(cpuLimit)),
            .init("oom_score_adj", .int(oomScoreAdjust)),
        ])
    }

    /// The drift hash: the first 12 hex digits of SHA-256 over ``hashedJSON`` rendered as
    /// Python's `json.dumps(sort_keys=True)`. Equal hashes mean an existing container may be
    /// adopted untouched.
    public var configHash: String {
        let digest = SHA256.hash(data: hashedJSON.renderedBytes(.pythonSortedASCII))
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(12)
        for byte in digest.prefix(6) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    /// The hash this spec is labelled with, else computed: what the actors compare, without
    /// hashing a labelled spec again.
    public var labelledHash: String { labels[Self.configHashLabel] ?? configHash }

    /// The spec with its ``configHash`` label set.
    public func labelled() -> Tier2Spec {
        var spec = self
        spec.labels[Self.configHashLabel] = configHash
        return spec
    }
}
