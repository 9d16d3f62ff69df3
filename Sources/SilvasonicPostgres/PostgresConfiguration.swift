/// Where and as whom to connect to PostgreSQL.
///
/// Built from the station's environment (`SILVASONIC_DB_HOST`, `SILVASONIC_DB_PORT`,
/// `POSTGRES_USER`, `POSTGRES_PASSWORD`, `POSTGRES_DB`), with the contract's defaults.
/// Its `description` never shows the password.
public struct PostgresConfiguration: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String
    public var database: String
    /// Seconds libpq waits for a connection before giving up.
    public var connectTimeoutSeconds: Int

    public init(
        host: String = "localhost",
        port: Int = 5432,
        user: String = "silvasonic",
        password: String = "silvasonic",
        database: String = "silvasonic",
        connectTimeoutSeconds: Int = 5
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.connectTimeoutSeconds = connectTimeoutSeconds
    }

    /// Reads the contract's variables; a missing or unparsable one keeps its default.
    public init(environment: [String: String]) {
        self.init()
        if let value = environment["SILVASONIC_DB_HOST"], !value.isEmpty { host = value }
        if let value = environment["SILVASONIC_DB_PORT"].flatMap({ Int($0) }) { port = value }
        if let value = environment["POSTGRES_USER"], !value.isEmpty { user = value }
        if let value = environment["POSTGRES_PASSWORD"] { password = value }
        if let value = environment["POSTGRES_DB"], !value.isEmpty { database = value }
    }

    public var description: String {
        "postgresql://\(user)@\(host):\(port)/\(database)"
    }

    /// libpq's keyword/value pairs; passed as arrays, so no value needs quoting.
    var connectionParameters: [(String, String)] {
        [
            ("host", host),
            ("port", String(port)),
            ("user", user),
            ("password", password),
            ("dbname", database),
            ("connect_timeout", String(connectTimeoutSeconds)),
            ("application_name", "silvasonic-controller"),
        ]
    }
}
