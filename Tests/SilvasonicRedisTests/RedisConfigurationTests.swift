import SilvasonicRedis
import Testing

@Suite("Redis URLs")
struct RedisConfigurationTests {
    @Test("The contract's default URL parses to localhost:6379, database 0")
    func defaultURL() throws {
        let configuration = try RedisConfiguration(url: "redis://localhost:6379/0")
        #expect(configuration == RedisConfiguration(host: "localhost", port: 6379, database: 0))
    }

    @Test("A password is read but never shown")
    func password() throws {
        let configuration = try RedisConfiguration(url: "redis://:hunter2@redis:6380/3")
        #expect(configuration.password == "hunter2")
        #expect(configuration.host == "redis")
        #expect(configuration.port == 6380)
        #expect(configuration.database == 3)
        #expect(!configuration.description.contains("hunter2"))
    }

    @Test("Bad URLs are refused with a message that names the problem", arguments: [
        ("http://localhost", "starts with redis://"),
        ("redis://localhost:99999/0", "port"),
        ("redis://localhost:6379/x", "database"),
        ("redis://:secret@/0", "host"),
    ])
    func badURLs(url: String, expected: String) {
        let error = #expect(throws: RedisError.self) { try RedisConfiguration(url: url) }
        #expect(error?.code == .invalidURL)
        #expect(error?.message.contains(expected) == true)
        #expect(error?.message.contains("secret") == false)
    }
}
