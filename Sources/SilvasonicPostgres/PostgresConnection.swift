import CLibPQ
#if canImport(Glibc)
import Glibc
#endif
import SilvasonicIO

/// One connection to PostgreSQL, through libpq.
///
/// libpq's calls block, so the actor runs on its own ``QueueExecutor``: a slow query holds that
/// queue's thread, never the cooperative pool. The `PGconn` handle never leaves this actor and
/// is freed when the connection is closed or deinitialised. A connection does not reconnect;
/// ``PostgresClient`` does.
package actor PostgresConnection {
    let executor: QueueExecutor
    var connection: LibPQHandle?
    /// Open savepoints inside the current transaction; `nil` outside one.
    var transactionDepth: Int?
    /// The pending wait of ``waitForNotifications(_:)``, when one runs.
    var notificationWait: ReadinessWait<PostgresNotification>?
    /// The target this connection talks to; safe to log.
    public nonisolated let configuration: PostgresConfiguration

    package nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    private init(configuration: PostgresConfiguration) {
        self.configuration = configuration
        self.executor = QueueExecutor(label: "silvasonic.postgres")
    }

    /// Opens a connection.
    /// - Throws: ``PostgresError`` with code `connectionFailed` and libpq's reason.
    package static func connect(_ configuration: PostgresConfiguration) async throws -> PostgresConnection {
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
        let expand: Int32 = configuration.connectionString == nil ? 0 : 1
        let connection = PQconnectdbParams(&keywordPointers, &valuePointers, expand)
        guard let connection, PQstatus(connection) == CONNECTION_OK else {
            let reason = connection.map { Self.errorMessage(of: $0) } ?? "out of memory"
            if let connection { PQfinish(connection) }
            throw PostgresError(code: .connectionFailed, message: "\(configuration): \(reason)")
        }
        // Server notices (such as "relation already exists, skipping") are not errors; libpq
        // would print them on stderr.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        self.connection = LibPQHandle(connection)
    }

    /// Whether the connection is open and libpq has not seen it break.
    var isOpen: Bool {
        guard let handle = connection?.raw else { return false }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// Runs one statement with `$1`, `$2`, ... parameters sent separately from the SQL text.
    /// - Parameters:
    ///   - sql: a single SQL statement.
    ///   - parameters: values for the placeholders.
    /// - Returns: the rows, which decode into Swift types.
    /// - Throws: ``PostgresError``: `queryFailed` with the SQLSTATE when the server rejects the
    ///   statement, `connectionClosed` when the connection is gone (it stays unusable).
    @discardableResult
    public func query(_ sql: String, _ parameters: [PostgresValue] = []) throws -> PostgresRows {
        let handle = try openHandle()
        let copies = parameters.map { $0.text.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        let pointers = copies.map { UnsafePointer<CChar>($0) }
        let types = parameters.map(\.typeOID)
        let result = pointers.withUnsafeBufferPointer { values in
            types.withUnsafeBufferPointer { oids in
                PQexecParams(handle, sql, Int32(values.count), oids.baseAddress, values.baseAddress, nil, nil, 0)
            }
        }
        return try rows(of: result, on: handle)
    }

    /// Closes the connection; later queries throw `connectionClosed`.
    package func close() {
        finishNotificationWait(throwing: PostgresError(code: .connectionClosed, message: "the connection was closed"))
        connection = nil
        transactionDepth = nil
    }

    func openHandle() throws -> OpaquePointer {
        guard let handle = connection?.raw else {
            throw PostgresError(code: .connectionClosed, message: "\(configuration): the connection is closed")
        }
        return handle
    }

    private func rows(of result: OpaquePointer?, on handle: OpaquePointer) throws -> PostgresRows {
        guard let result else {
            throw PostgresError(code: .connectionClosed, message: "\(configuration): \(Self.errorMessage(of: handle))")
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK:
            return Self.decodeRows(of: result)
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let message = Self.trimmed(String(cString: PQresultErrorMessage(result)))
            guard PQstatus(handle) == CONNECTION_OK else {
                throw PostgresError(code: .connectionClosed, message: "\(configuration): \(message)", sqlState: state)
            }
            throw PostgresError(code: .queryFailed, message: message, sqlState: state)
        }
    }

    private static func decodeRows(of result: OpaquePointer) -> PostgresRows {
        let columnCount = PQnfields(result)
        let rowCount = PQntuples(result)
        let columns = (0..<columnCount).map { String(cString: PQfname(result, $0)) }
        var values: [[String?]] = []
        values.reserveCapacity(Int(rowCount))
        for row in 0..<rowCount {
            values.append((0..<columnCount).map { column in
                PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
            })
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return PostgresRows(columns: columns, values: values, affectedRows: affected)
    }

    static func errorMessage(of connection: OpaquePointer) -> String {
        trimmed(String(cString: PQerrorMessage(connection)))
    }

    private static func trimmed(_ message: String) -> String {
        var text = Substring(message)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}

/// Owns one `PGconn` and finishes it when the last reference goes.
final class LibPQHandle {
    let raw: OpaquePointer

    init(_ raw: OpaquePointer) { self.raw = raw }

    deinit { PQfinish(raw) }
}
