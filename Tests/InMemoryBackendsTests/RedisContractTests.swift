import InMemoryBackends
import SilvasonicIO
import SilvasonicRedis
import SupervisionTesting
import TestSupport
import Testing

@Suite("The Redis contract, against redis-server and the in-memory Redis")
struct RedisContractTests {
    static func checkContract(_ redis: some RedisCommands, subscribe: ([String]) -> AsyncStream<RedisSubscriptionEvent>) async throws {
        let prefix = TestServices.uniqueName("silvasonic:contract")
        #expect(try await redis.ping())
        try await redis.set("\(prefix):a", "{\"x\": 1}", expiresInSeconds: 30)
        try await redis.set("\(prefix):b", "kept")
        #expect(try await redis.get("\(prefix):a") == "{\"x\": 1}")
        #expect((1...30).contains(try await redis.timeToLive("\(prefix):a")))
        #expect(try await redis.timeToLive("\(prefix):b") == -1)
        #expect(try await redis.timeToLive("\(prefix):none") == -2)
        #expect(Set(try await redis.keys(matching: "\(prefix):*")) == ["\(prefix):a", "\(prefix):b"])
        #expect(Set(try await redis.scan(matching: "\(prefix):?")) == ["\(prefix):a", "\(prefix):b"])
        #expect(try await redis.delete(["\(prefix):a", "\(prefix):b", "\(prefix):none"]) == 2)
        let unknown = await #expect(throws: RedisError.self) { try await redis.command(["NOSUCHCOMMAND"]) }
        #expect(unknown?.code == .commandFailed)

        var events = subscribe(["\(prefix):channel"]).makeAsyncIterator()
        #expect(await events.next() == .subscribed)
        #expect(try await redis.publish("reconcile", to: "\(prefix):channel") == 1)
        #expect(await events.next() == .element(RedisMessage(channel: "\(prefix):channel", payload: Array("reconcile".utf8))))
    }

    @Test("redis-server keeps the contract")
    func real() async throws {
        let redis = RedisClient(configuration: try RedisConfiguration(url: TestServices.require("SILVASONIC_REDIS_URL")))
        try await Self.checkContract(redis, subscribe: { redis.subscribe(to: $0) })
    }

    @Test("The in-memory Redis keeps the contract")
    func inMemory() async throws {
        let redis = InMemoryRedis(clock: ManualClock())
        try await Self.checkContract(redis, subscribe: { redis.subscribe(to: $0) })
    }

    @Test("A key's EX runs out on the manual clock, without waiting")
    func expiry() async throws {
        let clock = ManualClock()
        let redis = InMemoryRedis(clock: clock)
        try await redis.set("silvasonic:status:mic", "{}", expiresInSeconds: 30)
        clock.advance(by: .seconds(29))
        #expect(try await redis.get("silvasonic:status:mic") == "{}")
        clock.advance(by: .seconds(1))
        #expect(try await redis.get("silvasonic:status:mic") == nil)
    }
}
