public import Foundation
public import SilvasonicIO

/// A query parameter: sent to the server apart from the SQL text, so no value is ever quoted
/// into a statement.
///
/// Literals work directly: `try db.query("... WHERE name = $1 AND enabled = $2", ["mic", true])`.
public enum PostgresValue: Sendable, Hashable {
    case null
    /// Text; the server infers the type from the statement (so it also fills `$1` of an int column).
    case text(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    /// A point in time, sent as `timestamptz`.
    case timestamp(Date)
    /// A JSON document, sent as `jsonb`.
    case json(JSONValue)

    /// The value as libpq's text format, `nil` for SQL NULL.
    var text: String? {
        switch self {
        case .null: nil
        case .text(let value): value
        case .int(let value): String(value)
        case .double(let value): value.isFinite ? "\(value)" : (value.isNaN ? "NaN" : (value > 0 ? "Infinity" : "-Infinity"))
        case .bool(let value): value ? "t" : "f"
        case .timestamp(let value): PostgresTimestamp.format(value)
        case .json(let value): PostgresValue.encodeJSON(value)
        }
    }

    /// The type OID the parameter is declared as; 0 lets the server infer it.
    var typeOID: UInt32 {
        switch self {
        case .null, .text: 0
        case .int: 20  // int8
        case .double: 701  // float8
        case .bool: 16
        case .timestamp: 1184  // timestamptz
        case .json: 3802  // jsonb
        }
    }

    /// Encodes any `Encodable` value as a `jsonb` parameter.
    package static func json(encoding value: some Encodable) throws -> PostgresValue {
        let data = try JSONEncoder().encode(value)
        return .json(try JSONDecoder().decode(JSONValue.self, from: data))
    }

    static func encodeJSON(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a JSONValue cannot fail: every case maps to a JSON value.
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }
}

extension PostgresValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
}
