import CLibPQ
public import Supervision

/// Where and as whom to connect to PostgreSQL.
///
/// Built from the station's environment (`SILVASONIC_DB_HOST`, `SILVASONIC_DB_PORT`,
/// `POSTGRES_USER`, `POSTGRES_PASSWORD`, `POSTGRES_DB`) with the contract's defaults, or from a
/// libpq connection string. Its `description` never shows the password.
public struct PostgresConfiguration: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    package var user: String
    public var password: String
    public var database: String
    /// Seconds libpq waits for a connection before giving up.
    package var connectTimeoutSeconds: Int
    /// The delays between reconnect attempts of a ``PostgresClient`` or a notification stream.
    package var reconnectBackoff: BackoffPolicy
    /// A libpq connection string (`postgresql://...` or `key=value ...`) that, when set, is
    /// used instead of the fields above.
    public var connectionString: String?

    public init(
        host: String = "localhost",
        port: Int = 5432,
        user: String = "silvasonic",
        password: String = "silvasonic",
        database: String = "silvasonic",
        connectTimeoutSeconds: Int = 5,
        reconnectBackoff: BackoffPolicy = BackoffPolicy(initial: .milliseconds(250), maximum: .seconds(30))
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.reconnectBackoff = reconnectBackoff
    }

    /// Reads the contract's variables; a missing or unparsable one keeps its default.
    public init(environment: [String: String]) {
        self.init()
        if let value = environment["SILVASONIC_DB_HOST"], !value.isEmpty { host = value }
        if let value = environment["SILVASONIC_DB_PORT"].flatMap({ Int($0) }), (1...65535).contains(value) { port = value }
        if let value = environment["POSTGRES_USER"], !value.isEmpty { user = value }
        if let value = environment["POSTGRES_PASSWORD"] { password = value }
        if let value = environment["POSTGRES_DB"], !value.isEmpty { database = value }
    }

    /// Uses a libpq connection string; `description` then shows its target without secrets.
    /// - Throws: ``PostgresError`` `connectionFailed` with libpq's reason when it does not parse.
    public init(connectionString: String) throws {
        self.init()
        var message: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(connectionString, &message) else {
            let reason = message.map { String(cString: $0) } ?? "out of memory"
            PQfreemem(message)
            throw PostgresError(code: .connectionFailed, message: "the connection string does not parse: \(reason)")
        }
        defer { PQconninfoFree(options) }
        var index = 0
        while let keyword = options[index].keyword {
            if let value = options[index].val.map({ String(cString: $0) }) {
                switch String(cString: keyword) {
                case "host": host = value
                case "port": port = Int(value) ?? port
                case "user": user = value
                case "dbname": database = value
                case "password": password = value
                default: break
                }
            }
            index += 1
        }
        self.connectionString = connectionString
    }

    public var description: String {
        "postgresql://\(user)@\(host):\(port)/\(database)"
    }

    /// libpq's keyword/value pairs; passed as arrays, so no value needs quoting. With a
    /// connection string, `dbname` carries it and libpq expands it (`expand_dbname`).
    var connectionParameters: [(String, String)] {
        var pairs: [(String, String)] = connectionString.map { [("dbname", $0)] } ?? [
            ("host", host),
            ("port", String(port)),
            ("user", user),
            ("password", password),
            ("dbname", database),
        ]
        pairs += [
            ("connect_timeout", String(connectTimeoutSeconds)),
            ("application_name", "silvasonic-controller"),
            // The row decoders read timestamps in this one shape.
            ("options", "-c DateStyle=ISO -c TimeZone=UTC"),
        ]
        return pairs
    }
}
