import SilvasonicIO
import SilvasonicRedis
import Supervision
import TestSupport
import Testing

@Suite("Redis pub/sub as an AsyncSequence, and reconnects, on real servers")
struct RedisSubscriptionTests {
    @Test("A PUBLISH reaches the subscription stream; other channels' messages do not")
    func publishReachesSubscriber() async throws {
        let redis = RedisClient(configuration: try testConfiguration())
        let channel = TestServices.uniqueName("silvasonic:nudge")
        var events = redis.subscribe(to: [channel]).makeAsyncIterator()
        #expect(await events.next() == .subscribed)
        #expect(try await redis.publish("elsewhere", to: channel + ":other") == 0)
        #expect(try await redis.publish("reconcile", to: channel) == 1)
        #expect(try await redis.publish("second", to: channel) == 1)
        #expect(await events.next() == .element(RedisMessage(channel: channel, payload: Array("reconcile".utf8))))
        #expect(await events.next() == .element(RedisMessage(channel: channel, payload: Array("second".utf8))))
    }

    @Test("Messages that arrive in one burst are all delivered, in order")
    func burst() async throws {
        let redis = RedisClient(configuration: try testConfiguration())
        let channel = TestServices.uniqueName("silvasonic:burst")
        var events = redis.subscribe(to: [channel]).makeAsyncIterator()
        #expect(await events.next() == .subscribed)
        for index in 0..<500 { try await redis.publish("m\(index)", to: channel) }
        for index in 0..<500 {
            let event = await events.next()
            guard case .element(let message) = event, message.text == "m\(index)" else {
                Issue.record("message \(index): got \(String(describing: event))")
                return
            }
        }
    }

    @Test("A restart fails the command in flight, the next command reconnects, the subscription is renewed")
    func restart() async throws {
        let server = try await ScratchServer(.redis)
        var configuration = try RedisConfiguration(environment: server.environment)
        configuration.reconnectBackoff = BackoffPolicy(initial: .milliseconds(20), maximum: .milliseconds(200))
        let redis = RedisClient(configuration: configuration)
        let channel = "silvasonic:nudge"
        var events = redis.subscribe(to: [channel]).makeAsyncIterator()
        #expect(await events.next() == .subscribed)
        #expect(try await redis.ping())

        let inFlight = Task { try await redis.command(["BLPOP", "silvasonic:test:never", "30"]) }
        try await server.restart()
        let error = await #expect(throws: RedisError.self) { try await inFlight.value }
        #expect(error?.code == .connectionClosed)

        #expect(await StreamHelpers.awaitResubscription(&events))
        // The first command after the restart reconnects (the backoff has long passed).
        #expect(try await redis.publish("reconcile", to: channel) == 1)
        #expect(await events.next() == .element(RedisMessage(channel: channel, payload: Array("reconcile".utf8))))
        let statistics = await redis.statistics
        #expect(statistics.connects == 2)
        #expect(statistics.losses == 1)
        try await server.stop()
    }

    @Test("Idle subscriptions and blocked commands hold no pool thread: a ticker keeps its pace")
    func tickerKeepsPace() async throws {
        let configuration = try testConfiguration()
        let count = 6
        let streams = (0..<count).map { index in
            RedisClient(configuration: configuration).subscribe(to: [TestServices.uniqueName("silvasonic:idle:\(index)")])
        }
        var iterators = streams.map { $0.makeAsyncIterator() }
        for index in iterators.indices { #expect(await iterators[index].next() == .subscribed) }
        let finished = SharedCounter()
        let blocked = (0..<count).map { _ in
            Task {
                defer { finished.increment() }
                return try await RedisClient(configuration: configuration).command(["BLPOP", TestServices.uniqueName("silvasonic:none"), "3"])
            }
        }
        // Had the BLPOPs held the pool's threads, no tick could complete until one returned.
        let ticks = try await StreamHelpers.ticks(while: { finished.value == 0 })
        #expect(ticks >= 5, "only \(ticks) ticks while the BLPOPs were blocked")
        for task in blocked { #expect(try await task.value == .null) }
    }
}
