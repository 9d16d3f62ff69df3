import SilvasonicPostgres
import TestSupport

/// The settings of the test run's PostgreSQL.
func testConfiguration() throws -> PostgresConfiguration {
    _ = try TestServices.require("SILVASONIC_DB_PORT")
    return PostgresConfiguration(environment: TestServices.environment)
}

/// A connection to the test run's PostgreSQL.
func connect() async throws -> PostgresConnection {
    try await PostgresConnection.connect(testConfiguration())
}

/// A table name no other test uses.
func scratchTable() -> String {
    TestServices.uniqueName("t").replacingOccurrences(of: "-", with: "_")
}
