import Foundation
public import Supervision

/// Where to reach Redis, parsed from a `redis://[user[:password]@]host[:port][/db]` URL
/// (`SILVASONIC_REDIS_URL`, default `redis://localhost:6379/0`), as `redis-cli -u` reads it:
/// `user:password` authenticates an ACL user (`AUTH user password`), `:password` or a lone
/// `password` the default user; both may be percent-encoded. `rediss://` (TLS) is refused with
/// a clear message: the hiredis this builds on (Debian's 0.14) has no TLS.
///
/// Its `description` never shows the password.
public struct RedisConfiguration: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var database: Int
    /// The ACL user to authenticate as; `nil`: the default user.
    package var username: String?
    public var password: String?
    /// Seconds to wait for the TCP connection.
    package var connectTimeoutSeconds: Int
    /// Seconds a command waits for its reply before the connection counts as broken.
    var commandTimeoutSeconds: Int
    /// The delays between reconnect attempts of a ``RedisClient`` or a subscription.
    package var reconnectBackoff: BackoffPolicy

    public init(host: String = "localhost", port: Int = 6379, database: Int = 0, password: String? = nil,
                connectTimeoutSeconds: Int = 5, commandTimeoutSeconds: Int = 10,
                reconnectBackoff: BackoffPolicy = BackoffPolicy(initial: .milliseconds(250), maximum: .seconds(30))) {
        self.host = host
        self.port = port
        self.database = database
        self.password = password
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.commandTimeoutSeconds = commandTimeoutSeconds
        self.reconnectBackoff = reconnectBackoff
    }

    /// Parses a `redis://` URL.
    /// - Throws: ``RedisError`` with code `invalidURL` naming what is wrong.
    public init(url: String) throws {
        self.init()
        let prefix = "redis://"
        if url.lowercased().hasPrefix("rediss://") {
            throw RedisError(code: .invalidURL, message: "rediss:// (Redis over TLS) is not supported: the hiredis the controller "
                + "is built on has no TLS; use redis:// on a trusted network, or a TLS tunnel (got \(Self.redacted(url)))")
        }
        guard url.hasPrefix(prefix) else {
            throw RedisError(code: .invalidURL, message: "a Redis URL starts with redis:// (got \(Self.redacted(url)))")
        }
        var rest = Substring(url.dropFirst(prefix.count))
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            func decoded(_ part: Substring) -> String? {
                part.isEmpty ? nil : (String(part).removingPercentEncoding ?? String(part))
            }
            if let colon = credentials.firstIndex(of: ":") {
                username = decoded(credentials[..<colon])
                password = decoded(credentials[credentials.index(after: colon)...])
            } else {
                password = decoded(credentials)
            }
        }
        var hostPort = rest
        if let slash = rest.firstIndex(of: "/") {
            hostPort = rest[..<slash]
            let db = rest[rest.index(after: slash)...]
            if !db.isEmpty {
                guard let number = Int(db), number >= 0 else {
                    throw RedisError(code: .invalidURL, message: "the database in a Redis URL is a number (got \"\(db)\")")
                }
                database = number
            }
        }
        if let colon = hostPort.lastIndex(of: ":") {
            let portText = hostPort[hostPort.index(after: colon)...]
            guard let number = Int(portText), (1...65535).contains(number) else {
                throw RedisError(code: .invalidURL, message: "the port in a Redis URL is 1-65535 (got \"\(portText)\")")
            }
            port = number
            hostPort = hostPort[..<colon]
        }
        guard !hostPort.isEmpty else {
            throw RedisError(code: .invalidURL, message: "a Redis URL names a host (got \(Self.redacted(url)))")
        }
        host = String(hostPort)
    }

    /// Reads `SILVASONIC_REDIS_URL`, or the default when unset.
    public init(environment: [String: String]) throws {
        try self.init(url: environment["SILVASONIC_REDIS_URL"] ?? "redis://localhost:6379/0")
    }

    public var description: String { "redis://\(username.map { $0 + "@" } ?? "")\(host):\(port)/\(database)" }

    /// The URL with its credentials hidden, its scheme kept.
    private static func redacted(_ url: String) -> String {
        guard let at = url.lastIndex(of: "@") else { return "\"\(url)\"" }
        let scheme = url.range(of: "://").map { String(url[..<$0.upperBound]) } ?? ""
        return "\"\(scheme)***\(url[at...])\""
    }
}
