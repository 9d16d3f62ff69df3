import Crypto

/// A Tier 2 container as the contract describes it (contract §3): the reference controller's
/// `Tier2ServiceSpec`, field for field, so that its ``configHash`` is byte-exact with the hash
/// the Python controller put on the containers it made.
public struct Tier2Spec: Sendable, Hashable {
    /// A bind mount; `controllerSource` is where the controller itself creates the directory.
    public struct Mount: Sendable, Hashable {
        package var source: String
        public var target: String
        package var readOnly: Bool
        package var controllerSource: String?

        public init(source: String, target: String, readOnly: Bool, controllerSource: String?) {
            self.source = source
            self.target = target
            self.readOnly = readOnly
            self.controllerSource = controllerSource
        }
    }

    /// The fields, kept once in an immutable box that every copy of the spec shares: the
    /// reconciler's cache, its plan, each DeviceActor and the recorders' companions hold the same
    /// spec, thousands of times over. A change makes a new box (specs change rarely).
    private struct Fields: Sendable, Hashable {
        var image: String
        var name: String
        var network: String
        var environment: [String: String]
        var labels: [String: String]
        var mounts: [Mount]
        var devices: [String]
        var groupAdd: [String]
        var privileged: Bool
        var restartPolicyName: String
        var restartMaxRetries: Int
        var memoryLimit: String
        var cpuLimit: Double
        var oomScoreAdjust: Int
    }

    private final class Box: Sendable {
        let fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private var box: Box

    private mutating func change(_ body: (inout Fields) -> Void) {
        var fields = box.fields
        body(&fields)
        box = Box(fields)
    }

    package var image: String {
        get { box.fields.image }
        set { change { $0.image = newValue } }
    }
    public var name: String {
        get { box.fields.name }
        set { change { $0.name = newValue } }
    }
    package var network: String {
        get { box.fields.network }
        set { change { $0.network = newValue } }
    }
    public var environment: [String: String] {
        get { box.fields.environment }
        set { change { $0.environment = newValue } }
    }
    /// Labels, ``configHash`` among them once ``labelled()`` was called; not hashed.
    package var labels: [String: String] {
        get { box.fields.labels }
        set { change { $0.labels = newValue } }
    }
    package var mounts: [Mount] {
        get { box.fields.mounts }
        set { change { $0.mounts = newValue } }
    }
    /// `host:container` device mappings.
    public var devices: [String] {
        get { box.fields.devices }
        set { change { $0.devices = newValue } }
    }
    package var groupAdd: [String] {
        get { box.fields.groupAdd }
        set { change { $0.groupAdd = newValue } }
    }
    package var privileged: Bool {
        get { box.fields.privileged }
        set { change { $0.privileged = newValue } }
    }
    package var restartPolicyName: String {
        get { box.fields.restartPolicyName }
        set { change { $0.restartPolicyName = newValue } }
    }
    package var restartMaxRetries: Int {
        get { box.fields.restartMaxRetries }
        set { change { $0.restartMaxRetries = newValue } }
    }
    /// A Podman memory size such as `512m` (binary units).
    package var memoryLimit: String {
        get { box.fields.memoryLimit }
        set { change { $0.memoryLimit = newValue } }
    }
    /// Cores, `1.0` = one.
    package var cpuLimit: Double {
        get { box.fields.cpuLimit }
        set { change { $0.cpuLimit = newValue } }
    }
    package var oomScoreAdjust: Int {
        get { box.fields.oomScoreAdjust }
        set { change { $0.oomScoreAdjust = newValue } }
    }

    public init(image: String, name: String, network: String, environment: [String: String], labels: [String: String],
                mounts: [Mount], devices: [String], groupAdd: [String], privileged: Bool, restartPolicyName: String,
                restartMaxRetries: Int, memoryLimit: String, cpuLimit: Double, oomScoreAdjust: Int) {
        box = Box(Fields(image: image, name: name, network: network, environment: environment, labels: labels, mounts: mounts,
                         devices: devices, groupAdd: groupAdd, privileged: privileged, restartPolicyName: restartPolicyName,
                         restartMaxRetries: restartMaxRetries, memoryLimit: memoryLimit, cpuLimit: cpuLimit,
                         oomScoreAdjust: oomScoreAdjust))
    }

    public static func == (lhs: Tier2Spec, rhs: Tier2Spec) -> Bool {
        lhs.box === rhs.box || lhs.box.fields == rhs.box.fields
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(box.fields)
    }

    /// The label that carries ``configHash``.
    package static let configHashLabel = "io.silvasonic.config_hash"

    /// Everything but the labels, as the reference's `model_dump(exclude={"labels"})`.
    var hashedJSON: OrderedJSON {
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
    package var labelledHash: String { labels[Self.configHashLabel] ?? configHash }

    /// The spec with its ``configHash`` label set.
    func labelled() -> Tier2Spec {
        var spec = self
        spec.labels[Self.configHashLabel] = configHash
        return spec
    }
}
