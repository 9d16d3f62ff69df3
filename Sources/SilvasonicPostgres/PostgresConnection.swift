import CLibPQ
#if canImport(Glibc)
import Glibc
#endif
import SilvasonicIO

/// One connection to PostgreSQL, through libpq.
///
/// libpq's calls block, so the actor runs on its own ``QueueExecutor``: a slow query holds that
/// queue's thread, never the cooperative pool. The `PGconn` handle never leaves this actor and
/// is freed when the connection is closed or deinitialised.
public actor PostgresConnection {
    private let executor: QueueExecutor
    private var connection: LibPQHandle?
    /// The target this connection talks to; safe to log.
    public nonisolated let configuration: PostgresConfiguration

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    private init(configuration: PostgresConfiguration) {
        self.configuration = configuration
        self.executor = QueueExecutor(label: "silvasonic.postgres")
    }

    /// Opens a connection.
    /// - Throws: ``PostgresError`` with code `connectionFailed` and libpq's reason.
    public static func connect(_ configuration: PostgresConfiguration) async throws -> PostgresConnection {
        let connection = PostgresConnection(configuration: configuration)
        try await connection.open()
        return connection
    }

    private func open() throws {
        let pairs = configuration.connectionParameters
        let keywords = pairs.map { strdup($0.0) }
        let values = pairs.map { strdup($0.1) }
        defer {
            keywords.forEach { free($0) }
            values.forEach { free($0) }
        }
        var keywordPointers = keywords.map { UnsafePointer<CChar>($0) } + [nil]
        var valuePointers = values.map { UnsafePointer<CChar>($0) } + [nil]
        let connection = PQconnectdbParams(&keywordPointers, &valuePointers, 0)
        guard let connection, PQstatus(connection) == CONNECTION_OK else {
            let reason = connection.map { Self.errorMessage(of: $0) } ?? "out of memory"
            if let connection { PQfinish(connection) }
            throw PostgresError(code: .connectionFailed, message: "\(configuration): \(reason)")
        }
        self.connection = LibPQHandle(connection)
    }

    /// Runs one statement with `$1`, `$2`, ... parameters sent separately from the SQL text.
    /// - Parameters:
    ///   - sql: a single SQL statement.
    ///   - parameters: text values for the placeholders, `nil` for NULL.
    /// - Returns: the rows, as text.
    public func query(_ sql: String, _ parameters: [String?] = []) throws -> PostgresRows {
        guard let handle = connection?.raw else {
            throw PostgresError(code: .connectionClosed, message: "the connection is closed")
        }
        let copies = parameters.map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        let pointers = copies.map { UnsafePointer<CChar>($0) }
        let result = pointers.withUnsafeBufferPointer { buffer in
            PQexecParams(handle, sql, Int32(buffer.count), nil, buffer.baseAddress, nil, nil, 0)
        }
        guard let result else {
            throw PostgresError(code: .connectionClosed, message: Self.errorMessage(of: handle))
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK:
            return Self.rows(of: result)
        default:
            let code: PostgresError.Code = PQstatus(handle) == CONNECTION_OK ? .queryFailed : .connectionClosed
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let message = String(cString: PQresultErrorMessage(result))
            throw PostgresError(code: code, message: Self.trimmed(message), sqlState: state)
        }
    }

    /// Closes the connection; later queries throw `connectionClosed`.
    public func close() {
        connection = nil
    }

    private static func rows(of result: OpaquePointer) -> PostgresRows {
        let columnCount = PQnfields(result)
        let rowCount = PQntuples(result)
        let columns = (0..<columnCount).map { String(cString: PQfname(result, $0)) }
        var rows: [[String?]] = []
        rows.reserveCapacity(Int(rowCount))
        for row in 0..<rowCount {
            rows.append((0..<columnCount).map { column in
                PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
            })
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return PostgresRows(columns: columns, rows: rows, affectedRows: affected)
    }

    private static func errorMessage(of connection: OpaquePointer) -> String {
        trimmed(String(cString: PQerrorMessage(connection)))
    }

    private static func trimmed(_ message: String) -> String {
        var text = Substring(message)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}

/// Owns one `PGconn` and finishes it when the last reference goes.
private final class LibPQHandle {
    let raw: OpaquePointer

    init(_ raw: OpaquePointer) { self.raw = raw }

    deinit { PQfinish(raw) }
}
