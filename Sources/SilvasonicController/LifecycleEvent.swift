package import ControllerCore
package import SilvasonicIO

/// One event on `silvasonic:events`, typed: its name and fields are made here alone.
package enum LifecycleEvent: Sendable, Equatable {
    /// A device's container news (adopted, created, started, restarting, crash-looping,
    /// recovered, stopping, engine error).
    case recorder(RecorderReport, deviceID: String, service: String)
    /// Podman reported an owned container's death.
    case containerDied(containerID: String, exitCode: Int, deviceID: String?, service: String)
    /// An owned recorder whose device nobody knows is stopped.
    case orphanStopping(containerID: String, deviceID: String)
    case deviceAppeared(deviceID: String, alsaName: String)
    case deviceGone(deviceID: String)
    /// A reconcile something asked for ran (the periodic ones are not announced).
    case reconcile(reason: ReconcileReason, readDatabase: Bool, duration: Duration)

    /// The `event` field.
    public var name: String {
        switch self {
        case .recorder(let report, _, _):
            switch report {
            case .adopted: "container_adopted"
            case .created: "container_created"
            case .started: "container_started"
            case .restarting: "container_restarting"
            case .crashLooping: "container_crash_looping"
            case .recovered: "container_recovered"
            case .stopping: "container_stopping"
            case .engineError: "engine_error"
            }
        case .containerDied: "container_died"
        case .orphanStopping: "container_stopping"
        case .deviceAppeared: "device_appeared"
        case .deviceGone: "device_gone"
        case .reconcile: "reconcile"
        }
    }

    /// Every field but `event` and `timestamp`.
    public var fields: [String: JSONValue] {
        switch self {
        case .recorder(let report, let device, let service):
            var fields: [String: JSONValue] = ["device_id": .string(device), "service": .string(service)]
            switch report {
            case .adopted(let id), .created(let id), .started(let id): fields["container_id"] = .string(id)
            case .restarting(let delay, let count):
                fields["delay_s"] = .double(StatusTree.seconds(delay))
                fields["restarts"] = .int(count)
            case .crashLooping(let restarts, let within, let longest):
                fields["restarts"] = .int(restarts)
                fields["window_s"] = .double(StatusTree.seconds(within))
                fields["longest_wait_s"] = .double(StatusTree.seconds(longest))
            case .recovered(let restarts): fields["restarts"] = .int(restarts)
            case .stopping(let id, let reason):
                fields["container_id"] = .string(id)
                fields["reason"] = .string("\(reason)")
            case .engineError(let message): fields["error"] = .string(message)
            }
            return fields
        case .containerDied(let id, let code, let device, let service):
            return ["container_id": .string(id), "exit_code": .int(code), "device_id": device.map(JSONValue.string) ?? .null,
                    "service": .string(service)]
        case .orphanStopping(let id, let device):
            return ["container_id": .string(id), "device_id": .string(device), "service": "recorder",
                    "reason": .string("\(StopReason.orphan)")]
        case .deviceAppeared(let device, let alsaName):
            return ["device_id": .string(device), "alsa_name": .string(alsaName)]
        case .deviceGone(let device):
            return ["device_id": .string(device)]
        case .reconcile(let reason, let read, let duration):
            return ["reason": .string(reason.rawValue), "read_database": .bool(read),
                    "duration_s": .double((duration / .milliseconds(1)).rounded() / 1000)]
        }
    }
}
