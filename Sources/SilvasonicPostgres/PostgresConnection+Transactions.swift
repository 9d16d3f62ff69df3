extension PostgresConnection {
    /// Runs `body` inside `BEGIN` ... `COMMIT`; any error rolls the transaction back and is rethrown.
    ///
    /// The body runs isolated to this connection, so its queries are plain synchronous calls and
    /// nothing else can use the connection in between:
    ///
    /// ```swift
    /// try await db.transaction { db in
    ///     try db.query("UPDATE devices SET status = 'offline' WHERE name = $1", [.text(id)])
    ///     try db.savepoint { db in try db.query("INSERT INTO audit ...") }  // may fail alone
    /// }
    /// ```
    /// - Throws: ``PostgresError`` `misuse` when called inside a transaction (use ``savepoint(_:)``).
    package func transaction<Result: Sendable>(
        _ body: @Sendable (isolated PostgresConnection) throws -> Result
    ) throws -> Result {
        guard transactionDepth == nil else {
            throw PostgresError(code: .misuse, message: "a transaction is already open: nest with savepoint")
        }
        try query("BEGIN")
        transactionDepth = 0
        defer { transactionDepth = nil }
        do {
            let result = try body(self)
            try query("COMMIT")
            return result
        } catch {
            if isOpen { _ = try? query("ROLLBACK") }
            throw error
        }
    }

    /// Runs `body` inside a savepoint of the open transaction: an error rolls back only the
    /// savepoint's work and is rethrown; the transaction stays usable.
    /// - Throws: ``PostgresError`` `misuse` outside a transaction.
    package func savepoint<Result: Sendable>(
        _ body: @Sendable (isolated PostgresConnection) throws -> Result
    ) throws -> Result {
        guard let depth = transactionDepth else {
            throw PostgresError(code: .misuse, message: "a savepoint needs an open transaction")
        }
        let name = "silvasonic_savepoint_\(depth + 1)"
        try query("SAVEPOINT \(name)")
        transactionDepth = depth + 1
        defer { transactionDepth = depth }
        do {
            let result = try body(self)
            try query("RELEASE SAVEPOINT \(name)")
            return result
        } catch {
            if isOpen { _ = try? query("ROLLBACK TO SAVEPOINT \(name)") }
            throw error
        }
    }
}
