import SilvasonicPostgres
import Supervision
import TestSupport
import Testing

@Suite("PostgresClient across a server restart, on a server of the test's own")
struct PostgresReconnectTests {
    private func configuration(_ server: ScratchServer, backoff: BackoffPolicy) throws -> PostgresConfiguration {
        var configuration = PostgresConfiguration(environment: server.environment)
        configuration.reconnectBackoff = backoff
        return configuration
    }

    @Test("A restart fails the query in flight with connectionClosed; the next call reconnects")
    func restartDuringQuery() async throws {
        let server = try await ScratchServer(.postgres)
        let client = PostgresClient(configuration: try configuration(server, backoff: BackoffPolicy(initial: .milliseconds(1), maximum: .milliseconds(1), jitter: 0)))
        #expect(try await client.query("SELECT 1 AS one").values == [["1"]])

        let inFlight = Task { try await client.query("SELECT pg_sleep(60)") }
        try await server.restart()
        let error = await #expect(throws: PostgresError.self) { try await inFlight.value }
        #expect(error?.code == .connectionClosed)

        #expect(try await client.query("SELECT 2 AS two").values == [["2"]])
        let statistics = await client.statistics
        #expect(statistics.connects == 2)
        #expect(statistics.losses == 1)
        try await server.stop()
    }

    @Test("While the server is down, calls fail fast: connectionFailed, then unavailable until the backoff ends")
    func backoffWhileDown() async throws {
        let server = try await ScratchServer(.postgres)
        let configuration = try configuration(server, backoff: BackoffPolicy(initial: .seconds(30), maximum: .seconds(60)))
        try await server.stop()
        let client = PostgresClient(configuration: configuration)
        let first = await #expect(throws: PostgresError.self) { try await client.query("SELECT 1") }
        #expect(first?.code == .connectionFailed)
        let second = await #expect(throws: PostgresError.self) { try await client.query("SELECT 1") }
        #expect(second?.code == .unavailable)
        #expect(second?.message.contains("next attempt in") == true)
        #expect(await client.statistics.failedAttempts == 1)
    }

    @Test("LISTEN delivers NOTIFYs as an AsyncSequence and is renewed after a restart")
    func listenRenewed() async throws {
        let server = try await ScratchServer(.postgres)
        let configuration = try configuration(server, backoff: BackoffPolicy(initial: .milliseconds(20), maximum: .milliseconds(200)))
        let client = PostgresClient(configuration: configuration)
        var events = client.notifications(on: ["silvasonic test", "other"]).makeAsyncIterator()

        #expect(await events.next() == .subscribed)
        try await client.query("SELECT pg_notify('silvasonic test', 'first')")
        let first = await events.next()
        guard case .element(let note) = first else { Issue.record("got \(String(describing: first))"); return }
        #expect(note.channel == "silvasonic test")
        #expect(note.payload == "first")

        try await server.restart()
        // The stream reports the loss, then listens again on a new connection.
        #expect(await StreamHelpers.awaitResubscription(&events))
        let sender = PostgresClient(configuration: configuration)
        try await sender.query("SELECT pg_notify('other', 'after the restart')")
        let second = await events.next()
        guard case .element(let renewed) = second else { Issue.record("got \(String(describing: second))"); return }
        #expect(renewed.channel == "other")
        #expect(renewed.payload == "after the restart")
        try await server.stop()
    }
}
