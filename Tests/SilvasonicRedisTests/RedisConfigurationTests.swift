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

    @Test("An ACL user and its password are read as redis-cli reads them; percent-encoding is undone; the user is shown, never the password")
    func aclUser() throws {
        let acl = try RedisConfiguration(url: "redis://silva:s%40cret%3A1@redis:6379/0")
        #expect(acl.username == "silva" && acl.password == "s@cret:1")
        #expect(acl.description == "redis://silva@redis:6379/0")
        let bare = try RedisConfiguration(url: "redis://hunter2@redis/0")
        #expect(bare.username == nil && bare.password == "hunter2", "no colon: a password for the default user")
        let userOnly = try RedisConfiguration(url: "redis://silva:@redis/0")
        #expect(userOnly.username == "silva" && userOnly.password == nil)
    }

    @Test("A fuzzer's input: the credentials run to the last @, and the description shows the user, never the password")
    func fuzzedCredentials() throws {
        let configuration = try RedisConfiguration(url: "redis://sil\u{FFFD}@dis://sil\u{FFFD}@r")
        #expect(configuration.username == "sil\u{FFFD}@dis" && configuration.password == "//sil\u{FFFD}")
        #expect(configuration.host == "r")
        #expect(configuration.description == "redis://sil\u{FFFD}@dis@r:6379/0")
    }

    @Test("rediss:// is refused, saying why, and the redacted URL keeps its scheme")
    func tls() {
        let error = #expect(throws: RedisError.self) { try RedisConfiguration(url: "rediss://user:secret@redis:6380/0") }
        #expect(error?.code == .invalidURL)
        #expect(error?.message.contains("TLS") == true)
        #expect(error?.message.contains("\"rediss://***@redis:6380/0\"") == true)
        #expect(error?.message.contains("secret") == false)
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
