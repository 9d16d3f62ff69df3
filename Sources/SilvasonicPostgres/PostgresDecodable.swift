public import Foundation
public import SilvasonicIO

/// A Swift type a column's text value decodes into.
///
/// Conforming: `String`, `Int`, `Int32`, `Int64`, `Double`, `Bool`, `Date` (`timestamptz`),
/// `JSONValue` (`json`/`jsonb`), ``PostgresJSON`` (any `Decodable` from JSON), and `Optional` of
/// each, which is how a nullable column is read.
public protocol PostgresDecodable: Sendable {
    /// Decodes the server's text value, `nil` for SQL NULL.
    /// - Throws: ``PostgresDecodingFailure`` saying why the text does not fit.
    init(postgresText text: String?) throws
}

/// Why a column's text did not decode; ``PostgresRow`` turns it into a ``PostgresError`` naming
/// the column.
package struct PostgresDecodingFailure: Error, Sendable {
    public var reason: String

    public init(reason: String) { self.reason = reason }

    static func null(_ type: Any.Type) -> PostgresDecodingFailure {
        PostgresDecodingFailure(reason: "NULL where a \(type) was expected (decode as Optional)")
    }

    static func invalid(_ text: String, _ type: Any.Type) -> PostgresDecodingFailure {
        PostgresDecodingFailure(reason: "\"\(text.prefix(80))\" is not a \(type)")
    }
}

extension PostgresDecodable {
    fileprivate static func required(_ text: String?) throws -> String {
        guard let text else { throw PostgresDecodingFailure.null(Self.self) }
        return text
    }
}

extension String: PostgresDecodable {
    public init(postgresText text: String?) throws { self = try Self.required(text) }
}

extension PostgresDecodable where Self: FixedWidthInteger {
    public init(postgresText text: String?) throws {
        let text = try Self.required(text)
        guard let value = Self(text) else { throw PostgresDecodingFailure.invalid(text, Self.self) }
        self = value
    }
}

extension Int: PostgresDecodable {}
extension Int64: PostgresDecodable {}
extension Int32: PostgresDecodable {}

extension Double: PostgresDecodable {
    public init(postgresText text: String?) throws {
        let text = try Self.required(text)
        switch text {
        case "NaN": self = .nan
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        default:
            guard let value = Double(text) else { throw PostgresDecodingFailure.invalid(text, Self.self) }
            self = value
        }
    }
}

extension Bool: PostgresDecodable {
    public init(postgresText text: String?) throws {
        switch try Self.required(text) {
        case "t", "true": self = true
        case "f", "false": self = false
        case let other: throw PostgresDecodingFailure.invalid(other, Self.self)
        }
    }
}

extension Date: PostgresDecodable {
    public init(postgresText text: String?) throws {
        let text = try Self.required(text)
        guard let date = PostgresTimestamp.parse(text) else { throw PostgresDecodingFailure.invalid(text, Self.self) }
        self = date
    }
}

extension JSONValue: PostgresDecodable {
    public init(postgresText text: String?) throws {
        self = try PostgresJSON<JSONValue>(postgresText: text).value
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init(postgresText text: String?) throws {
        self = try text.map { try Wrapped(postgresText: $0) }
    }
}

/// A `json`/`jsonb` column decoded into `Value` with `JSONDecoder`.
package struct PostgresJSON<Value: Decodable & Sendable>: PostgresDecodable {
    public let value: Value

    public init(postgresText text: String?) throws {
        let text = try Self.required(text)
        do {
            value = try JSONDecoder().decode(Value.self, from: Data(text.utf8))
        } catch {
            throw PostgresDecodingFailure(reason: "the JSON does not decode as \(Value.self): \(error)")
        }
    }
}

