import SilvasonicPostgres
import TestSupport

/// A database of one test's own on the test run's PostgreSQL, so that tests writing the
/// contract's tables never see each other's rows.
struct ScratchDatabase {
    let configuration: PostgresConfiguration
    let client: PostgresClient
    private let admin: PostgresClient

    static func create() async throws -> ScratchDatabase {
        _ = try TestServices.require("SILVASONIC_DB_PORT")
        return try await create(on: PostgresConfiguration(environment: TestServices.environment))
    }

    /// A new database on the server `base` points at.
    static func create(on base: PostgresConfiguration) async throws -> ScratchDatabase {
        let admin = PostgresClient(configuration: base)
        let name = TestServices.uniqueName("db").replacingOccurrences(of: "-", with: "_")
        try await admin.query("CREATE DATABASE \(name)")
        var configuration = base
        configuration.database = name
        return ScratchDatabase(configuration: configuration, client: PostgresClient(configuration: configuration), admin: admin)
    }

    func drop() async throws {
        await client.close()
        let statement = "DROP DATABASE IF EXISTS \(configuration.database) WITH (FORCE)"
        do {
            try await admin.query(statement)
        } catch let error as PostgresError where error.code == .connectionClosed {
            // The test restarted the server: the first call reports the lost connection, the
            // next one reconnects.
            try await admin.query(statement)
        }
    }
}
