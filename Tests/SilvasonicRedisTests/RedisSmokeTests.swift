import SilvasonicRedis
import TestSupport
import Testing

@Suite("Redis through hiredis, against the real server of the test run")
struct RedisSmokeTests {
    private func configuration() throws -> RedisConfiguration {
        try RedisConfiguration(url: TestServices.require("SILVASONIC_REDIS_URL"))
    }

    @Test("SET with EX, GET and PING work, binary-safe")
    func commands() async throws {
        let connection = try await RedisConnection.connect(configuration())
        #expect(try await connection.command(["PING"]) == .status("PONG"))
        let key = TestServices.uniqueName("silvasonic:test")
        let value = "{\"a\": \"b c\\u0000\"}"
        #expect(try await connection.command(["SET", key, value, "EX", "30"]) == .status("OK"))
        #expect(try await connection.command(["GET", key]).string == value)
        #expect(try await connection.command(["DEL", key]) == .integer(1))
    }

    @Test("An error reply is thrown as commandFailed")
    func errorReply() async throws {
        let connection = try await RedisConnection.connect(configuration())
        let error = await #expect(throws: RedisError.self) { try await connection.command(["NOSUCHCOMMAND"]) }
        #expect(error?.code == .commandFailed)
    }

    @Test("A PUBLISH reaches a subscriber on another connection")
    func publishReachesSubscriber() async throws {
        let channel = TestServices.uniqueName("silvasonic:test:channel")
        let subscriber = try await RedisSubscriber.subscribe(configuration(), to: [channel])
        let publisher = try await RedisConnection.connect(configuration())
        let receivers = try await publisher.publish("reconcile", to: channel)
        #expect(receivers == 1)
        let message = try await subscriber.nextMessage(waitingUpTo: 10)
        #expect(message == RedisMessage(channel: channel, payload: Array("reconcile".utf8)))
    }

    @Test("Nothing listens on a closed port: connecting fails with connectionFailed")
    func unreachable() async throws {
        let error = await #expect(throws: RedisError.self) {
            try await RedisConnection.connect(RedisConfiguration(host: "127.0.0.1", port: 1))
        }
        #expect(error?.code == .connectionFailed)
    }
}
