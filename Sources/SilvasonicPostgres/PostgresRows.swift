/// The rows a statement returned: a collection of ``PostgresRow``, each decoding its columns
/// into Swift types.
public struct PostgresRows: Sendable, Equatable, RandomAccessCollection {
    /// Column names, in order.
    package var columns: [String]
    /// The server's text values, one array per row (`nil` for SQL NULL).
    public var values: [[String?]]
    /// The number of rows a command changed (`INSERT`, `UPDATE`, `DELETE`), else 0.
    var affectedRows: Int

    public init(columns: [String], values: [[String?]], affectedRows: Int) {
        self.columns = columns
        self.values = values
        self.affectedRows = affectedRows
    }

    public var startIndex: Int { values.startIndex }
    public var endIndex: Int { values.endIndex }

    public subscript(position: Int) -> PostgresRow {
        PostgresRow(columns: columns, values: values[position])
    }
}

/// One row; ``decode(_:as:)`` reads a column as a Swift type, naming the column in its error.
///
/// ```swift
/// for row in try await db.query("SELECT name, enabled, last_seen, config FROM devices") {
///     let name = try row.decode("name", as: String.self)
///     let seen = try row.decode("last_seen", as: Date?.self)
///     let config = try row.decode("config", as: JSONValue.self)
/// }
/// ```
public struct PostgresRow: Sendable, Equatable {
    /// Column names, in order.
    package let columns: [String]
    /// The server's text values (`nil` for SQL NULL).
    public let values: [String?]

    public init(columns: [String], values: [String?]) {
        self.columns = columns
        self.values = values
    }

    /// Decodes the column named `column`.
    /// - Throws: ``PostgresError`` `decodingFailed` for a missing column, an unexpected NULL or
    ///   a value of another type.
    public func decode<Value: PostgresDecodable>(_ column: String, as type: Value.Type = Value.self) throws -> Value {
        guard let index = columns.firstIndex(of: column) else {
            throw PostgresError(code: .decodingFailed, message: "no column \"\(column)\" (columns: \(columns.joined(separator: ", ")))")
        }
        return try decode(index, as: type)
    }

    /// Decodes the column at `index`.
    public func decode<Value: PostgresDecodable>(_ index: Int, as type: Value.Type = Value.self) throws -> Value {
        guard values.indices.contains(index) else {
            throw PostgresError(code: .decodingFailed, message: "no column at index \(index) of \(values.count)")
        }
        do {
            return try Value(postgresText: values[index])
        } catch let failure as PostgresDecodingFailure {
            throw PostgresError(code: .decodingFailed, message: "column \"\(columns[index])\": \(failure.reason)")
        }
    }

    /// Decodes a `json`/`jsonb` column into any `Decodable` type.
    package func decodeJSON<Value: Decodable & Sendable>(_ column: String, as type: Value.Type) throws -> Value {
        try decode(column, as: PostgresJSON<Value>.self).value
    }
}
