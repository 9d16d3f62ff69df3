import SilvasonicRedis
import TestSupport
import Testing

/// The settings of the test run's Redis.
func testConfiguration() throws -> RedisConfiguration {
    try RedisConfiguration(url: TestServices.require("SILVASONIC_REDIS_URL"))
}

@Suite("Redis commands through hiredis, against the real server of the test run")
struct RedisCommandTests {
    @Test("PING, SET with EX, GET, TTL and DEL work, binary-safe")
    func commands() async throws {
        let redis = RedisClient(configuration: try testConfiguration())
        #expect(try await redis.ping())
        let key = TestServices.uniqueName("silvasonic:test")
        let value = "{\"a\": \"b c\u{0}\"}"
        try await redis.set(key, value, expiresInSeconds: 30)
        #expect(try await redis.get(key) == value)
        #expect(try await redis.getBytes(key) == Array(value.utf8))
        #expect((1...30).contains(try await redis.timeToLive(key)))
        #expect(try await redis.delete([key]) == 1)
        #expect(try await redis.get(key) == nil)
        #expect(try await redis.timeToLive(key) == -2)
    }

    @Test("An ACL user from the URL authenticates as that user (AUTH user password), as redis-cli -u does")
    func aclUser() async throws {
        let admin = RedisClient(configuration: try testConfiguration())
        let user = TestServices.uniqueName("silva")
        let prefix = TestServices.uniqueName("acl")
        _ = try await admin.command(["ACL", "SETUSER", user, "on", ">s@cret:1", "~\(prefix):*", "+@all"])
        var configuration = try testConfiguration()
        let url = "redis://\(user):s%40cret%3A1@\(configuration.host):\(configuration.port)/0"
        configuration = try RedisConfiguration(url: url)
        let client = RedisClient(configuration: configuration)
        #expect(try await client.command(["ACL", "WHOAMI"]).string == user)
        try await client.set("\(prefix):key", "value", expiresInSeconds: 30)
        #expect(try await client.get("\(prefix):key") == "value")
        // The user may touch only its own keys: proof that it is not the default user.
        let refused = await #expect(throws: RedisError.self) { try await client.set("other:key", "x") }
        #expect(refused?.code == .commandFailed)
        // A wrong password is a clear failure, not a silent default-user login.
        let wrong = RedisClient(configuration: try RedisConfiguration(url: "redis://\(user):nope@\(configuration.host):\(configuration.port)/0"))
        await #expect(throws: RedisError.self) { _ = try await wrong.ping() }
        #expect(try await admin.command(["ACL", "DELUSER", user]) == .integer(1))
    }

    @Test("Arguments are bytes: a value with NUL and invalid UTF-8 comes back unchanged")
    func binarySafe() async throws {
        let redis = RedisClient(configuration: try testConfiguration())
        let key = TestServices.uniqueName("silvasonic:test:binary")
        let bytes: [UInt8] = [0, 0xff, 0xfe, 10, 13, 0]
        _ = try await redis.command(bytes: [Array("SET".utf8), Array(key.utf8), bytes, Array("EX".utf8), Array("30".utf8)])
        #expect(try await redis.getBytes(key) == bytes)
        try await redis.delete([key])
    }

    @Test("KEYS and SCAN find the same keys; SCAN follows its cursor across batches")
    func keysAndScan() async throws {
        let redis = RedisClient(configuration: try testConfiguration())
        let prefix = TestServices.uniqueName("silvasonic:status:scan")
        let names = (0..<250).map { "\(prefix):\($0)" }
        for name in names { try await redis.set(name, "x", expiresInSeconds: 60) }
        #expect(Set(try await redis.keys(matching: "\(prefix):*")) == Set(names))
        let scanned = try await redis.scan(matching: "\(prefix):*", count: 20)
        #expect(Set(scanned) == Set(names))
        try await redis.delete(names)
    }

    @Test("An error reply is thrown as commandFailed and the connection stays usable")
    func errorReply() async throws {
        let redis = RedisClient(configuration: try testConfiguration())
        let error = await #expect(throws: RedisError.self) { try await redis.command(["NOSUCHCOMMAND"]) }
        #expect(error?.code == .commandFailed)
        #expect(try await redis.ping())
        #expect(await redis.statistics.connects == 1)
    }

    @Test("Nothing listens on a closed port: connectionFailed, then unavailable during the backoff")
    func unreachable() async throws {
        let redis = RedisClient(configuration: RedisConfiguration(host: "127.0.0.1", port: 1))
        let first = await #expect(throws: RedisError.self) { try await redis.ping() }
        #expect(first?.code == .connectionFailed)
        let second = await #expect(throws: RedisError.self) { try await redis.ping() }
        #expect(second?.code == .unavailable)
        #expect(second?.message.contains("next attempt in") == true)
    }

    @Test("A password in the URL is never shown, and a wrong one fails to connect")
    func wrongPassword() async throws {
        let base = try testConfiguration()
        let configuration = try RedisConfiguration(url: "redis://:s3cret@\(base.host):\(base.port)/0")
        #expect(!configuration.description.contains("s3cret"))
        let error = await #expect(throws: RedisError.self) { try await RedisConnection.connect(configuration) }
        #expect(error.map { !String(describing: $0).contains("s3cret") } == true)
    }
}
