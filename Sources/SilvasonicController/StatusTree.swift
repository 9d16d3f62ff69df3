package import ControllerCore
package import SilvasonicIO
package import Supervision
import Foundation

/// The live supervision tree as JSON, for `GET /status` and `silvasonic-controller status`:
/// every supervisor and child as the supervisors themselves report them (``Supervisor/whichChildren()``),
/// each device actor with its recorder's state, restarts, last failure and time since its last
/// change (`since_s`), and its own children.
///
/// ```json
/// {"id": "controller", "kind": "supervisor", "strategy": "one_for_one", "state": "running",
///  "children": [{"id": "devices", "kind": "supervisor", "state": "running", "restarts": 0,
///                "children": [{"id": "0869-0389-ABC034F", "kind": "supervisor", "strategy": "rest_for_one",
///                              "state": "running", "children": [{"id": "container", ...}, {"id": "heartbeat", ...},
///                                                               {"id": "logs", ...}]}]},
///               {"id": "events", "kind": "worker", "state": "running", "restarts": 0, ...}]}
/// ```
package enum StatusTree {
    /// The tree: the root's children (`nil` when the tree is not running), each supervisor named
    /// in `groups` with its device actors as children; `now` (epoch seconds) dates the
    /// devices' heartbeat and segment ages.
    /// `stoodDown`: an operator stood the controller down (nothing records until resumed).
    package static func json(root: [ChildInfo]?, groups: [String: [DeviceStatus]], health: HealthReport,
                            now: Double, stoodDown: Bool = false) -> JSONValue {
        let children: [JSONValue] = (root ?? []).map { info in
            var node = child(info)
            if let devices = groups[info.id] {
                node["strategy"] = "one_for_one"
                node["children"] = .array(devices.sorted { $0.key < $1.key }.map { device($0, now: now) })
            }
            return .object(node)
        }
        return .object([
            "id": "controller", "kind": "supervisor", "strategy": "one_for_one",
            "state": .string(root == nil ? "stopped" : "running"),
            "health": ControllerHeartbeat.healthJSON(health),
            "stood_down": .bool(stoodDown),
            "children": .array(children),
        ])
    }

    /// A child as its supervisor reports it.
    private static func child(_ info: ChildInfo) -> [String: JSONValue] {
        var node: [String: JSONValue] = [
            "id": .string(info.id), "kind": .string(info.kind == .supervisor ? "supervisor" : "worker"),
            "state": .string(info.state.rawValue), "restarts": .int(info.restarts),
            "last_failure": info.lastFailure.map(JSONValue.string) ?? .null,
            "since_s": info.uptime.map { .double(seconds($0)) } ?? .null,
        ]
        if let next = info.nextRestart { node["next_restart_s"] = .double(seconds(next)) }
        if info.crashLooping { node["crash_looping"] = true }
        return node
    }

    /// A device actor: its recorder's journal, its row's model and profile, the ages of its
    /// recorder's last heartbeat and last segment, and its supervisor's children.
    private static func device(_ device: DeviceStatus, now: Double) -> JSONValue {
        func age(_ epoch: Double?) -> JSONValue {
            epoch.map { .double((max(0, now - $0) * 10).rounded() / 10) } ?? .null
        }
        return .object([
            "id": .string(device.key), "kind": "supervisor", "strategy": "rest_for_one", "service": .string(device.service),
            "state": .string(device.stateName), "idle_reason": device.idleReason.map { .string($0.rawValue) } ?? .null,
            "container_id": device.state.containerID.map(JSONValue.string) ?? .null,
            "restarts": .int(device.restarts), "last_failure": device.lastFailure.map(JSONValue.string) ?? .null,
            "since_s": .double(seconds(device.since)),
            "next_retry_s": device.nextRetry.map { .double(seconds($0)) } ?? .null,
            "held_because": device.heldBecause.map(JSONValue.string) ?? .null,
            "last_stop": device.lastStop.map(JSONValue.string) ?? .null,
            "model": device.description.map { .string($0.model) } ?? .null,
            "profile": device.description?.profile.map(JSONValue.string) ?? .null,
            "heartbeat_age_s": age(device.lastHeartbeat),
            "last_segment": device.lastSegment.map { .string(Date(timeIntervalSince1970: $0).formatted(.iso8601)) } ?? .null,
            "last_segment_age_s": age(device.lastSegment),
            "children": .array(device.children.map { .object(child($0)) }),
        ])
    }

    static func seconds(_ duration: Duration) -> Double {
        (duration / .milliseconds(100)).rounded() / 10
    }
}

extension StatusTree {
    /// The components of a health report that are not healthy, each with its details.
    package static func failingComponents(_ report: JSONValue) -> [String] {
        guard case .object(let components)? = report["components"] else { return [] }
        return components.keys.sorted().compactMap { name -> String? in
            guard let component = components[name], component["healthy"] != .bool(true) else { return nil }
            return "\(name): \(component["details"]?.stringValue ?? "unhealthy")"
        }
    }

    /// The tree as indented text for a terminal: each node with its strategy (supervisors),
    /// state, restarts, time since its last change and last failure.
    ///
    /// ```
    /// controller  running  health ok
    /// ├─ devices  one_for_one  running  restarts 0  up 12.3 s
    /// │  └─ 0869-0389-ABC034F  recorder  rest_for_one  running  restarts 0  container 1a2b3c4d5e6f  since 10.2 s  model UltraMic 384K  profile ultramic_384_evo  heartbeat 4.1 s ago  last segment 6.0 s ago
    /// │     ├─ container  running  restarts 0  up 10.3 s
    /// │     ├─ heartbeat  running  restarts 0  up 10.3 s
    /// │     └─ logs  running  restarts 0  up 10.3 s
    /// └─ events  running  restarts 0  up 12.3 s
    /// ```
    package static func render(_ tree: JSONValue) -> String {
        var out = ""
        func describe(_ node: JSONValue) -> String {
            var parts = [node["id"]?.stringValue ?? "?"]
            if let service = node["service"]?.stringValue { parts.append(service) }
            if node["kind"] == "supervisor", node["id"] != "controller" {
                parts.append(node["strategy"]?.stringValue ?? "supervisor")
            }
            parts.append(node["state"]?.stringValue ?? "?")
            if let restarts = node["restarts"]?.intValue, node["id"] != "controller" { parts.append("restarts \(restarts)") }
            if let id = node["container_id"]?.stringValue { parts.append("container \(id.prefix(12))") }
            // Whole seconds arrive as JSON integers.
            func seconds(_ key: String) -> String? {
                switch node[key] {
                case .double(let value)?: "\(value)"
                case .int(let value)?: "\(value).0"
                default: nil
                }
            }
            if let since = seconds("since_s") { parts.append("\(node["service"] == nil ? "up" : "since") \(since) s") }
            if let model = node["model"]?.stringValue { parts.append("model \(model)") }
            if let profile = node["profile"]?.stringValue { parts.append("profile \(profile)") }
            if let age = seconds("heartbeat_age_s") { parts.append("heartbeat \(age) s ago") }
            if let age = seconds("last_segment_age_s") { parts.append("last segment \(age) s ago") }
            if let next = seconds("next_retry_s") { parts.append("next retry in \(next) s") }
            if let next = seconds("next_restart_s") { parts.append("restart in \(next) s") }
            if node["crash_looping"] == true { parts.append("crash-looping") }
            if let health = node["health"], let status = health["status"]?.stringValue {
                let failing = failingComponents(health)
                parts.append(failing.isEmpty ? "health \(status)" : "health \(status) (\(failing.joined(separator: "; ")))")
            }
            if node["stood_down"] == true { parts.append("STOOD DOWN by an operator: nothing records until `ctl resume`") }
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
