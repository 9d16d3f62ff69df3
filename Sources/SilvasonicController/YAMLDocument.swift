import Foundation
public import SilvasonicIO
import Yams

/// Reads YAML (profiles, the defaults and override files) into ``JSONValue`` with Yams.
public enum YAMLDocument {
    /// A YAML text that could not be read, with Yams's own message (it names line and column).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The one document in `text`; an empty text is `.null`.
    public static func parse(_ text: String) throws(Failure) -> JSONValue {
        let loaded: Any?
        do { loaded = try Yams.load(yaml: text) } catch { throw Failure(description: "not valid YAML: \(error)") }
        return try value(loaded)
    }

    /// Reads and parses the file at `path`.
    public static func read(_ path: String) throws(Failure) -> JSONValue {
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure(description: "cannot be read") }
        guard let text = String(data: data, encoding: .utf8) else { throw Failure(description: "not UTF-8 text") }
        return try parse(text)
    }

    private static func value(_ any: Any?) throws(Failure) -> JSONValue {
        switch any {
        case nil, is NSNull: return .null
        case let flag as Bool: return .bool(flag)
        case let number as Int: return .int(number)
        case let number as Double: return number.isFinite ? .double(number) : .string(String(number))
        case let text as String: return .string(text)
        case let items as [Any]:
            var values: [JSONValue] = []
            for item in items { values.append(try value(item)) }
            return .array(values)
        case let members as [String: Any]:
            var object: [String: JSONValue] = [:]
            for (key, member) in members { object[key] = try value(member) }
            return .object(object)
        case let members as [AnyHashable: Any]:
            var object: [String: JSONValue] = [:]
            for (key, member) in members { object[String(describing: key)] = try value(member) }
            return .object(object)
        case let other?:
            // Timestamps, binary and the like: kept as their text.
            return .string(String(describing: other))
        }
    }
}
