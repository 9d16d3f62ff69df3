import SilvasonicPostgres
import TestSupport
import Testing

@Suite("PostgreSQL through libpq, against the real server of the test run")
struct PostgresSmokeTests {
    private func connect() async throws -> PostgresConnection {
        _ = try TestServices.require("SILVASONIC_DB_PORT")
        return try await PostgresConnection.connect(PostgresConfiguration(environment: TestServices.environment))
    }

    @Test("A parameterised query reaches the server and its rows come back as text")
    func queryRoundTrip() async throws {
        let connection = try await connect()
        let rows = try await connection.query("SELECT $1::int + 1 AS answer, current_database() AS db, NULL::text AS nothing", ["41"])
        #expect(rows.columns == ["answer", "db", "nothing"])
        #expect(rows.rows == [["42", "silvasonic", nil]])
    }

    @Test("Parameters are sent apart from the SQL, so quotes in them are data")
    func parametersAreNotSQL() async throws {
        let connection = try await connect()
        let hostile = "'); DROP TABLE pg_class; --"
        let rows = try await connection.query("SELECT $1::text", [hostile])
        #expect(rows.rows == [[hostile]])
    }

    @Test("A rejected statement throws queryFailed with the SQLSTATE")
    func failedQuery() async throws {
        let connection = try await connect()
        let error = await #expect(throws: PostgresError.self) {
            try await connection.query("SELECT * FROM no_such_table_anywhere")
        }
        #expect(error?.code == .queryFailed)
        #expect(error?.sqlState == "42P01")
    }

    @Test("A wrong password fails to connect and the error never shows the password")
    func wrongPassword() async throws {
        var configuration = PostgresConfiguration(environment: TestServices.environment)
        _ = try TestServices.require("SILVASONIC_DB_PORT")
        configuration.password = "not-the-password-s3cret"
        let error = await #expect(throws: PostgresError.self) {
            try await PostgresConnection.connect(configuration)
        }
        #expect(error?.code == .connectionFailed)
        #expect(error.map { !String(describing: $0).contains("s3cret") } == true)
    }
}
