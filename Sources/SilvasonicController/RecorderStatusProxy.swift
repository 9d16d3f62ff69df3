package import Foundation
package import SilvasonicIO

/// The status a device actor publishes on its recorder's behalf (the roadmap's "status
/// aggregation"): while a new container has not yet written its own heartbeat, and while the
/// device is crash-looping, the web interface still finds `silvasonic:status:<device id>`.
///
/// It is marked `meta.reported_by = "controller"`; the heartbeat watch treats a marked value as
/// no heartbeat at all, and the controller never writes over the recorder's own.
package enum RecorderStatusProxy {
    /// The marker in `meta`.
    static let marker: JSONValue = "controller"

    /// Whether a heartbeat value was written by the controller, not the recorder.
    package static func isProxy(_ beat: JSONValue?) -> Bool { beat?["meta"]?["reported_by"] == marker }

    /// The contract's heartbeat JSON, for a recorder that cannot speak for itself yet.
    public static func payload(deviceID: String, containerID: String?, activity: String, healthy: Bool, details: String,
                               now: Date) -> JSONValue {
        [
            "service": "recorder",
            "instance_id": .string(deviceID),
            "timestamp": .double((now.timeIntervalSince1970 * 1000).rounded() / 1000),
            "health": [
                "status": .string(healthy ? "ok" : "error"), "live": .bool(healthy),
                "components": ["container": ["healthy": .bool(healthy), "details": .string(details), "required": true]],
            ],
            "activity": .string(activity),
            "meta": ["reported_by": marker, "container_id": containerID.map(JSONValue.string) ?? .null],
        ]
    }

    static func text(_ payload: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(payload)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
