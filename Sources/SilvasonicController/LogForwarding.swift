import ControllerCore
package import Foundation
import SilvasonicIO
package import SilvasonicPodman

/// A container log line as the JSON message published on `silvasonic:logs` (contract §2): a
/// JSON line's own fields; a console line in structlog's format or with a `LEVEL:` prefix with
/// its level, message and (when it has one) its own timestamp (``ConsoleLogLine``); any other
/// line `raw`.
package enum LogForwarding {
    /// The channel.
    public static let channel = "silvasonic:logs"

    /// The message for `line` of container `name` with `labels`; `now` stands in for a missing
    /// timestamp.
    public static func message(_ line: LogLine, containerName name: String, labels: [String: String], now: Date) -> String {
        var members: [OrderedJSON.Member] = [
            .init("service", .string(labels["io.silvasonic.service"] ?? "unknown")),
            .init("instance_id", .string(labels["io.silvasonic.device_id"] ?? name)),
            .init("container_name", .string(name)),
        ]
        let parsed = try? JSONDecoder().decode(JSONValue.self, from: Data(line.text.utf8))
        if case .object(let fields)? = parsed {
            members.append(.init("level", .string(fields["level"]?.stringValue ?? "info")))
            let message = fields["event"]?.stringValue ?? fields["message"]?.stringValue ?? line.text
            members.append(.init("message", .string(message)))
            members.append(.init("timestamp", .string(fields["timestamp"]?.stringValue ?? isoSeconds(now))))
            for key in ["logger", "exc_info", "stack_info"] {
                if let value = fields[key] { members.append(.init(key, ordered(value))) }
            }
        } else if let console = ConsoleLogLine.parse(line.text) {
            // structlog's console lines and `LEVEL:` prefixes: their level, and their own time.
            members.append(.init("level", .string(console.level)))
            members.append(.init("message", .string(console.message)))
            members.append(.init("timestamp", .string(console.timestamp ?? isoSeconds(now))))
        } else {
            members.append(.init("level", .string("raw")))
            members.append(.init("message", .string(line.text)))
            members.append(.init("timestamp", .string(isoSeconds(now))))
        }
        return OrderedJSON.object(members).rendered(.pythonASCII)
    }

    /// `2026-02-23T03:15:42+00:00`, Python's `datetime.now(timezone.utc).isoformat(timespec="seconds")`.
    static func isoSeconds(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let (days, secondOfDay) = CivilTime.floorDivide(seconds, 86_400)
        return CivilTime.format(days: days, secondOfDay: secondOfDay, separator: "T") + "+00:00"
    }

    private static func ordered(_ value: JSONValue) -> OrderedJSON {
        switch value {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .int(let number): .int(number)
        case .double(let number): .float(number)
        case .string(let text): .string(text)
        case .array(let items): .array(items.map(ordered))
        case .object(let members): .object(members.sorted { $0.key < $1.key }.map { .init($0.key, ordered($0.value)) })
        }
    }
}
