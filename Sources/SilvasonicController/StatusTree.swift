public import ControllerCore
public import SilvasonicIO
public import Supervision

/// The live supervision tree as JSON, for `GET /status` and `silvasonic-controller status`:
/// every supervisor and child with its state, restarts, last failure and time since its last
/// change (`since_s`).
///
/// ```json
/// {"id": "controller", "kind": "supervisor", "strategy": "one_for_one", "state": "running",
///  "children": [{"id": "events", "kind": "worker", "state": "running", "restarts": 0, ...},
///               {"id": "devices", "kind": "supervisor", "children": [{"id": "0869-0389-ABC034F", ...}]}]}
/// ```
public enum StatusTree {
    /// One recorder or worker actor as the tree shows it.
    public struct Device: Sendable {
        public var key: String
        public var service: String
        public var state: String
        public var containerID: String?
        public var restarts: Int
        public var lastFailure: String?
        public var since: Duration
        /// How long until the next attempt, while backing off or crash-looping.
        public var nextRetry: Duration?
        /// Why the device is left as it is (its row cannot be acted on), while it is.
        public var heldBecause: String?
        /// Why its container was last stopped.
        public var lastStop: String?

        public init(key: String, service: String, state: String, containerID: String?, restarts: Int, lastFailure: String?,
                    since: Duration, nextRetry: Duration? = nil) {
            self.nextRetry = nextRetry
            self.key = key
            self.service = service
            self.state = state
            self.containerID = containerID
            self.restarts = restarts
            self.lastFailure = lastFailure
            self.since = since
        }
    }

    /// The tree: the root's children (`nil` when the tree is not running), then the device
    /// supervisor with one child per device and the worker supervisor with one per worker.
    public static func json(root: [ChildInfo]?, devices: [Device], health: HealthReport) -> JSONValue {
        var children: [JSONValue] = (root ?? []).map { info in
            .object([
                "id": .string(info.id.description), "kind": .string(info.kind == .supervisor ? "supervisor" : "worker"),
                "state": .string(info.state.rawValue), "restarts": .int(info.restarts),
                "last_failure": info.lastFailure.map(JSONValue.string) ?? .null,
                "since_s": info.uptime.map { .double(seconds($0)) } ?? .null,
            ])
        }
        func child(_ device: Device) -> JSONValue {
            .object([
                "id": .string(device.key), "kind": .string("worker"), "service": .string(device.service),
                "state": .string(device.state), "container_id": device.containerID.map(JSONValue.string) ?? .null,
                "restarts": .int(device.restarts), "last_failure": device.lastFailure.map(JSONValue.string) ?? .null,
                "since_s": .double(seconds(device.since)),
                "next_retry_s": device.nextRetry.map { .double(seconds($0)) } ?? .null,
                "held_because": device.heldBecause.map(JSONValue.string) ?? .null,
                "last_stop": device.lastStop.map(JSONValue.string) ?? .null,
            ])
        }
        let sorted = devices.sorted { $0.key < $1.key }
        let recorders = sorted.filter { $0.service == "recorder" }, workers = sorted.filter { $0.service != "recorder" }
        children.append(.object(["id": "devices", "kind": "supervisor", "strategy": "one_for_one", "state": "running",
                                 "restarts": 0, "children": .array(recorders.map(child))]))
        children.append(.object(["id": "workers", "kind": "supervisor", "strategy": "one_for_one", "state": "running",
                                 "restarts": 0, "children": .array(workers.map(child))]))
        return .object([
            "id": "controller", "kind": "supervisor", "strategy": "one_for_one",
            "state": .string(root == nil ? "stopped" : "running"),
            "health": ControllerHeartbeat.healthJSON(health),
            "children": .array(children),
        ])
    }

    static func seconds(_ duration: Duration) -> Double {
        (duration / .milliseconds(100)).rounded() / 10
    }
}

extension RecorderLifecycle.State {
    /// The container the state names, if any.
    public var containerID: String? {
        switch self {
        case .starting(let id), .running(let id, _), .stopping(let id, _): id
        case .backingOff(let id, _), .crashLooping(let id, _): id
        case .idle, .inspecting, .creating: nil
        }
    }
}

extension StatusTree {
    /// The tree as indented text for a terminal: each node with its state, restarts, time
    /// since its last change and last failure.
    ///
    /// ```
    /// controller  running  health ok
    /// ├─ events  running  restarts 0  up 12.3 s
    /// └─ devices  supervisor
    ///    └─ 0869-0389-ABC034F  recorder  running  restarts 0  container 1a2b3c4d5e6f  since 10.2 s
    /// ```
    public static func render(_ tree: JSONValue) -> String {
        var out = ""
        func describe(_ node: JSONValue) -> String {
            var parts = [node["id"]?.stringValue ?? "?"]
            if let service = node["service"]?.stringValue { parts.append(service) }
            if node["kind"] == "supervisor", node["children"] != nil, node["id"] != "controller" { parts.append("supervisor") }
            parts.append(node["state"]?.stringValue ?? "?")
            if let restarts = node["restarts"]?.intValue, node["id"] != "controller" { parts.append("restarts \(restarts)") }
            if let id = node["container_id"]?.stringValue { parts.append("container \(id.prefix(12))") }
            if case .double(let seconds)? = node["since_s"] {
                parts.append("\(node["service"] == nil ? "up" : "since") \(seconds) s")
            }
            if case .double(let seconds)? = node["next_retry_s"] { parts.append("next retry in \(seconds) s") }
            if let status = node["health"]?["status"]?.stringValue { parts.append("health \(status)") }
            if let failure = node["last_failure"]?.stringValue { parts.append("last failure: \(failure)") }
            if let held = node["held_because"]?.stringValue { parts.append("left as it is: \(held)") }
            if let stop = node["last_stop"]?.stringValue { parts.append("last stop: \(stop)") }
            return parts.joined(separator: "  ")
        }
        func walk(_ node: JSONValue, prefix: String) {
            guard case .array(let children)? = node["children"] else { return }
            for (index, child) in children.enumerated() {
                let last = index == children.count - 1
                out += prefix + (last ? "└─ " : "├─ ") + describe(child) + "\n"
                walk(child, prefix: prefix + (last ? "   " : "│  "))
            }
        }
        out += describe(tree) + "\n"
        walk(tree, prefix: "")
        return out
    }
}
