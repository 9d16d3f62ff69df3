/// Anything that runs Redis commands: a ``RedisConnection``, a reconnecting ``RedisClient``, or
/// a test double with the same behaviour.
///
/// One requirement, the binary-safe command; everything else (GET, SET with EX, PUBLISH, SCAN,
/// ...) is built on it here, so a double implements one method and gets the same conveniences.
public protocol RedisCommands: Sendable {
    /// Sends one command, each argument as bytes, and returns its reply.
    /// - Throws: ``RedisError``: `commandFailed` for an error reply; a connection failure otherwise.
    func command(bytes arguments: [[UInt8]]) async throws -> RedisReply
}

extension RedisCommands {
    /// Sends one command with text arguments (UTF-8).
    @discardableResult
    public func command(_ arguments: [String]) async throws -> RedisReply {
        try await command(bytes: arguments.map { Array($0.utf8) })
    }

    /// `PING`; true when the server answers `PONG`.
    public func ping() async throws -> Bool {
        try await command(["PING"]).string == "PONG"
    }

    /// `GET key` as text; `nil` when the key does not exist.
    public func get(_ key: String) async throws -> String? {
        try await command(["GET", key]).string
    }

    /// `GET key` as bytes; `nil` when the key does not exist.
    package func getBytes(_ key: String) async throws -> [UInt8]? {
        guard case .bulk(let bytes) = try await command(["GET", key]) else { return nil }
        return bytes
    }

    /// `SET key value [EX seconds]`.
    /// - Parameter expiresInSeconds: the key's time to live; `nil` keeps it until deleted.
    public func set(_ key: String, _ value: String, expiresInSeconds: Int? = nil) async throws {
        var arguments = ["SET", key, value]
        if let expiresInSeconds { arguments += ["EX", String(expiresInSeconds)] }
        _ = try await command(arguments)
    }

    /// `DEL key ...`; returns how many existed.
    @discardableResult
    package func delete(_ keys: [String]) async throws -> Int {
        guard !keys.isEmpty, case .integer(let count) = try await command(["DEL"] + keys) else { return 0 }
        return count
    }

    /// `TTL key` in seconds: -1 without expiry, -2 when the key does not exist.
    package func timeToLive(_ key: String) async throws -> Int {
        guard case .integer(let seconds) = try await command(["TTL", key]) else { return -2 }
        return seconds
    }

    /// `PUBLISH channel message`; returns how many subscribers received it.
    @discardableResult
    package func publish(_ message: String, to channel: String) async throws -> Int {
        guard case .integer(let receivers) = try await command(["PUBLISH", channel, message]) else { return 0 }
        return receivers
    }

    /// `KEYS pattern`: every matching key at once. Blocks the server on a big database; prefer ``scan(matching:count:)``.
    public func keys(matching pattern: String) async throws -> [String] {
        guard case .array(let items) = try await command(["KEYS", pattern]) else { return [] }
        return items.compactMap(\.string)
    }

    /// `SCAN` with `MATCH`, following the cursor to the end: every matching key, in batches the
    /// server can serve without blocking others.
    public func scan(matching pattern: String, count: Int = 100) async throws -> [String] {
        var cursor = "0"
        var keys: [String] = []
        repeat {
            let reply = try await command(["SCAN", cursor, "MATCH", pattern, "COUNT", String(count)])
            guard case .array(let parts) = reply, parts.count == 2, let next = parts[0].string,
                  case .array(let batch) = parts[1] else {
                throw RedisError(code: .commandFailed, message: "SCAN answered with an unexpected reply")
            }
            keys += batch.compactMap(\.string)
            cursor = next
        } while cursor != "0"
        return keys
    }
}
