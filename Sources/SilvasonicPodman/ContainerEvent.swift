import Foundation

/// One container event from Podman's `/events` stream.
public struct ContainerEvent: Sendable, Hashable {
    /// What happened.
    public enum Action: Sendable, Hashable {
        case create, initialize, start, stop, kill, remove, restart, pause, unpause
        /// The engine has finished with an exited container (its storage and network let go)
        /// and will not restart it; after a death it restarts, `restart` comes instead.
        case cleanup
        /// The main process exited, with its code.
        case died(exitCode: Int)
        /// A health check changed the container's health (`healthy`, `unhealthy`, `starting`).
        case healthStatus(String)
        /// Anything else (`attach`, `cleanup`, `mount`, ...), by Podman's name.
        case other(String)
    }

    package var containerID: String
    public var name: String
    package var image: String
    public var action: Action
    /// The container's labels (Podman sends them among the event's attributes).
    package var labels: [String: String]
    /// When it happened, to the nanosecond.
    package var time: LogTimestamp

    public init(containerID: String, name: String, image: String = "", action: Action,
                labels: [String: String] = [:], time: LogTimestamp) {
        self.containerID = containerID
        self.name = name
        self.image = image
        self.action = action
        self.labels = labels
        self.time = time
    }

    /// Decodes one line of the stream; `nil` for events that are not about a container.
    init?(json line: [UInt8]) throws {
        struct Wire: Decodable {
            var `Type`: String?
            var Action: String?
            var status: String?
            var Actor: ActorWire?
            var id: String?
            var timeNano: Int64?
            var time: Int64?
            var HealthStatus: String?
        }
        struct ActorWire: Decodable {
            var ID: String?
            var Attributes: [String: String]?
        }
        let wire = try JSONDecoder().decode(Wire.self, from: Data(line))
        guard (wire.Type ?? "container") == "container" else { return nil }
        var attributes = wire.Actor?.Attributes ?? [:]
        let name = attributes.removeValue(forKey: "name") ?? ""
        let image = attributes.removeValue(forKey: "image") ?? ""
        let exitCode = attributes.removeValue(forKey: "containerExitCode")
        let health = attributes.removeValue(forKey: "health_status") ?? wire.HealthStatus
        attributes.removeValue(forKey: "podId")
        containerID = wire.Actor?.ID ?? wire.id ?? ""
        self.name = name
        self.image = image
        labels = attributes
        time = wire.timeNano.map { LogTimestamp(nanosecondsSinceEpoch: $0) }
            ?? LogTimestamp(seconds: wire.time ?? 0, nanoseconds: 0)
        switch wire.Action ?? wire.status ?? "" {
        case "create": action = .create
        case "init": action = .initialize
        case "start": action = .start
        case "stop": action = .stop
        case "kill": action = .kill
        case "remove": action = .remove
        case "restart": action = .restart
        case "pause": action = .pause
        case "unpause": action = .unpause
        case "cleanup": action = .cleanup
        case "died": action = .died(exitCode: exitCode.flatMap { Int($0) } ?? -1)
        case "health_status": action = .healthStatus(health ?? "")
        case let other: action = .other(other)
        }
    }
}

/// Decodes the lines of Podman's event stream.
package enum PodmanEventDecoding {
    /// The container event on one line, or `nil` for garbage and events about other objects.
    public static func decode(_ line: [UInt8]) -> ContainerEvent? {
        (try? ContainerEvent(json: line)) ?? nil
    }
}
