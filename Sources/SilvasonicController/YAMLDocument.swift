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
    ///
    /// Read from Yams's node tree (never its `Any` constructor, which traps on a mapping key
    /// that is not a scalar): such a key is a failure that names its line, and a document that
    /// aliases expand past ``maximumNodes`` ("billion laughs") is refused.
    public static func parse(_ text: String) throws(Failure) -> JSONValue {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch { throw Failure(description: "not valid YAML: \(error)") }
        guard let root else { return .null }
        var budget = maximumNodes
        return try value(root, budget: &budget)
    }

    /// The most nodes a document may expand to (aliases counted each time they are used).
    static let maximumNodes = 100_000

    /// Reads and parses the file at `path`.
    public static func read(_ path: String) throws(Failure) -> JSONValue {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw Failure(description: "cannot be read (\(systemReason(error)))")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw Failure(description: "not UTF-8 text") }
        return try parse(text)
    }

    private static func value(_ node: Node, budget: inout Int) throws(Failure) -> JSONValue {
        budget -= 1
        guard budget >= 0 else { throw Failure(description: "expands to more than \(maximumNodes) values (aliases used over and over)") }
        switch node {
        case .scalar(let scalar):
            switch Tag.Name(rawValue: node.tag.description) {
            case .null: return .null
            case .bool: if let flag = node.bool { return .bool(flag) }
            case .int: if let number = integer(scalar) { return .int(number) }
            case .float: if let number = node.float, number.isFinite { return .double(number) }
            default: break
            }
            // Text, and what JSON has no type for (timestamps, binary, huge integers): their text.
            return .string(scalar.string)
        case .sequence(let sequence):
            var values: [JSONValue] = []
            for item in sequence { values.append(try value(item, budget: &budget)) }
            return .array(values)
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for (key, member) in mapping {
                guard case .scalar(let name) = key else {
                    let line = key.mark.map { " at line \($0.line)" } ?? ""
                    throw Failure(description: "a mapping key\(line) is not text (a list or a mapping as a key)")
                }
                object[name.string] = try value(member, budget: &budget)
            }
            return .object(object)
        }
    }

    /// An integer scalar as Yams reads one (`0x`, `0b`, `0o` and `0` prefixes, `_` separators,
    /// YAML 1.1's base 60 `1:30`), but `nil` where that would overflow: Yams's own reading traps
    /// on `222222222222222222:22` (found by ProfileFuzzer). Such a value is kept as its text.
    static func integer(_ scalar: Node.Scalar) -> Int? {
        let text = scalar.string.replacingOccurrences(of: "_", with: "")
        if text == "0" { return 0 }
        let negative = text.hasPrefix("-")
        let digits = text.dropFirst(negative || text.hasPrefix("+") ? 1 : 0)
        for (prefix, radix) in [("0x", 16), ("0b", 2), ("0o", 8), ("0", 8)] where digits.hasPrefix(prefix) {
            return Int((negative ? "-" : "") + digits.dropFirst(prefix.count), radix: radix)
        }
        guard digits.contains(":") else { return Int(text) }
        var value = 0
        for part in digits.split(separator: ":", omittingEmptySubsequences: false) {
            guard let place = Int(part) else { return nil }
            let (shifted, overflowed) = value.multipliedReportingOverflow(by: 60)
            let (sum, overflowedAgain) = shifted.addingReportingOverflow(place)
            guard !overflowed, !overflowedAgain else { return nil }
            value = sum
        }
        return negative ? -value : value
    }
}
