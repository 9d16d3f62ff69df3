import Foundation
import SilvasonicIO
import SilvasonicPostgres
import TestSupport
import Testing

@Suite("PostgreSQL through libpq, against the real server of the test run")
struct PostgresConnectionTests {
    @Test("A parameterised query reaches the server and its rows decode into Swift types")
    func typedRoundTrip() async throws {
        let db = try await connect()
        let instant = Date(timeIntervalSince1970: 1_763_745_122.123456)
        let document = JSONValue.object(["card": .int(2), "name": .string("Ultra")])
        let rows = try await db.query("""
            SELECT $1::int + 1 AS answer, current_database() AS db, NULL::text AS nothing, $2::bool AS flag,
                   $3::float8 * 2 AS twice, $4::timestamptz AS at, $5::jsonb AS doc
            """, ["41", true, 1.25, .timestamp(instant), .json(document)])
        #expect(rows.columns == ["answer", "db", "nothing", "flag", "twice", "at", "doc"])
        let row = try #require(rows.first)
        #expect(try row.decode("answer", as: Int.self) == 42)
        #expect(try row.decode("db", as: String.self) == "silvasonic")
        #expect(try row.decode("nothing", as: String?.self) == nil)
        #expect(try row.decode("flag", as: Bool.self))
        #expect(try row.decode("twice", as: Double.self) == 2.5)
        let at = try row.decode("at", as: Date.self)
        #expect(abs(at.timeIntervalSince1970 - instant.timeIntervalSince1970) < 0.000_001)
        #expect(try row.decode("doc", as: JSONValue.self) == document)
        struct Doc: Decodable, Sendable, Equatable { var card: Int; var name: String }
        #expect(try row.decodeJSON("doc", as: Doc.self) == Doc(card: 2, name: "Ultra"))
    }

    @Test("A NULL read as a non-optional type names the column and says to decode as Optional")
    func nullIntoNonOptional() async throws {
        let row = try #require(try await connect().query("SELECT NULL::int AS card").first)
        let error = #expect(throws: PostgresError.self) { try row.decode("card", as: Int.self) }
        #expect(error?.code == .decodingFailed)
        #expect(error?.message.contains("\"card\"") == true)
        #expect(error?.message.contains("Optional") == true)
    }

    @Test("Parameters are sent apart from the SQL, so quotes in them are data")
    func parametersAreNotSQL() async throws {
        let hostile = "'); DROP TABLE pg_class; --"
        let rows = try await connect().query("SELECT $1::text AS value", [.text(hostile)])
        #expect(rows.values == [[hostile]])
    }

    @Test("A rejected statement throws queryFailed with the SQLSTATE, and the connection stays usable")
    func failedQuery() async throws {
        let db = try await connect()
        let error = await #expect(throws: PostgresError.self) {
            try await db.query("SELECT * FROM no_such_table_anywhere")
        }
        #expect(error?.code == .queryFailed)
        #expect(error?.sqlState == "42P01")
        #expect(try await db.query("SELECT 1 AS one").values == [["1"]])
    }

    @Test("A transaction commits its work, and an error inside it rolls everything back")
    func transactions() async throws {
        let db = try await connect()
        let table = scratchTable()
        try await db.query("CREATE TABLE \(table) (id int PRIMARY KEY)")
        _ = try await db.transaction { db in try db.query("INSERT INTO \(table) VALUES (1)") }
        struct Planned: Error {}
        await #expect(throws: Planned.self) {
            try await db.transaction { db in
                try db.query("INSERT INTO \(table) VALUES (2)")
                throw Planned()
            }
        }
        #expect(try await db.query("SELECT id FROM \(table) ORDER BY id").values == [["1"]])
        try await db.query("DROP TABLE \(table)")
    }

    @Test("A failed savepoint undoes only its own work; the transaction goes on and commits")
    func savepoints() async throws {
        let db = try await connect()
        let table = scratchTable()
        try await db.query("CREATE TABLE \(table) (id int PRIMARY KEY)")
        try await db.transaction { db in
            try db.query("INSERT INTO \(table) VALUES (1)")
            do {
                try db.savepoint { db in
                    try db.query("INSERT INTO \(table) VALUES (2)")
                    try db.query("INSERT INTO \(table) VALUES (1)")  // a duplicate key
                }
                Issue.record("the duplicate key was accepted")
            } catch let error as PostgresError {
                #expect(error.sqlState == "23505")
            }
            try db.query("INSERT INTO \(table) VALUES (3)")
        }
        #expect(try await db.query("SELECT id FROM \(table) ORDER BY id").values == [["1"], ["3"]])
        try await db.query("DROP TABLE \(table)")
    }

    @Test("A savepoint outside a transaction, or a transaction inside one, is refused as misuse")
    func misuse() async throws {
        let db = try await connect()
        let outside = await #expect(throws: PostgresError.self) {
            try await db.savepoint { db in try db.query("SELECT 1") }
        }
        #expect(outside?.code == .misuse)
        let nested = await #expect(throws: PostgresError.self) {
            try await db.transaction { db in try db.transaction { db in try db.query("SELECT 1") } }
        }
        #expect(nested?.code == .misuse)
    }

    @Test("A wrong password fails to connect and the error never shows the password")
    func wrongPassword() async throws {
        var configuration = try testConfiguration()
        configuration.password = "not-the-password-s3cret"
        let error = await #expect(throws: PostgresError.self) {
            try await PostgresConnection.connect(configuration)
        }
        #expect(error?.code == .connectionFailed)
        #expect(error.map { !String(describing: $0).contains("s3cret") } == true)
    }

    @Test("A connection string connects, and its description hides the password")
    func connectionString() async throws {
        let base = try testConfiguration()
        let configuration = try PostgresConfiguration(connectionString:
            "postgresql://\(base.user):\(base.password)@\(base.host):\(base.port)/\(base.database)")
        #expect(configuration.description == "postgresql://\(base.user)@\(base.host):\(base.port)/\(base.database)")
        let db = try await PostgresConnection.connect(configuration)
        #expect(try await db.query("SELECT current_user AS who").first?.decode("who", as: String.self) == base.user)
    }

    @Test("A connection string that does not parse is refused with libpq's reason")
    func badConnectionString() {
        let error = #expect(throws: PostgresError.self) {
            try PostgresConfiguration(connectionString: "host=localhost port")
        }
        #expect(error?.message.contains("does not parse") == true)
    }
}
