package import ControllerCore
package import Foundation
package import SilvasonicIO

/// The controller's own heartbeat: `SET silvasonic:status:controller ... EX ttl` and
/// `PUBLISH silvasonic:status`, in the contract's JSON (§2).
package enum ControllerHeartbeat {
    /// The key the heartbeat is stored under.
    public static let key = "silvasonic:status:controller"

    /// The contract's ttl: max(30, 3 × interval) seconds.
    static func ttlSeconds(interval: Duration) -> Int {
        max(30, Int((interval * 3 / .seconds(1)).rounded(.up)))
    }

    /// The heartbeat JSON.
    public static func payload(health: HealthReport, usage: ResourceUsage?, timestamp: Date, activity: String = "idle") -> JSONValue {
        var meta: [String: JSONValue] = [:]
        if let usage {
            meta["resources"] = .object(["cpu_percent": .double(usage.cpuPercent), "memory_mb": .double(usage.memoryMB),
                                         "num_threads": .int(usage.threads)])
            meta["host_resources"] = .object([
                "cpu_percent": .double(usage.hostCPUPercent), "cpu_count": .int(usage.hostCPUCount),
                "memory_used_mb": .double(usage.hostMemoryUsedMB), "memory_total_mb": .double(usage.hostMemoryTotalMB),
                "memory_percent": .double(usage.hostMemoryPercent),
            ])
        }
        return .object([
            "service": .string("controller"),
            "instance_id": .string("controller"),
            "timestamp": .double((timestamp.timeIntervalSince1970 * 1000).rounded() / 1000),
            "health": healthJSON(health),
            "activity": .string(activity),
            "meta": .object(meta),
        ])
    }

    /// `{"status", "live", "components"}`, as `/healthy` answers and the heartbeat's `health` holds.
    package static func healthJSON(_ health: HealthReport) -> JSONValue {
        .object([
            "status": .string(health.status),
            "live": .bool(health.live),
            "components": .object(health.components.mapValues { component in
                .object(["healthy": .bool(component.healthy), "details": .string(component.details),
                         "required": .bool(component.required)])
            }),
        ])
    }
}
