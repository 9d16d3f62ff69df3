import SilvasonicIO
package import SilvasonicRedis

/// Redis in memory, behind the same ``RedisCommands`` protocol as the real ``RedisClient``:
/// strings with expiry, PUBLISH to ``subscribe(to:)`` streams, KEYS and SCAN with glob patterns,
/// and the same typed errors.
///
/// Time is a parameter (a manual clock in tests), so a heartbeat's `EX` can run out without
/// anyone waiting. ``setReachable(_:)`` simulates an outage: commands fail as
/// `connectionClosed` and subscriptions are interrupted, then resubscribed.
package actor InMemoryRedis<C: Clock<Duration>>: RedisCommands {
    private let clock: C
    private var values: [String: (bytes: [UInt8], expires: C.Instant?)] = [:]
    private var subscribers: [Int: (channels: Set<String>, sink: AsyncStream<RedisSubscriptionEvent>.Continuation)] = [:]
    private var nextSubscriber = 0
    private var reachable = true

    public init(clock: C) {
        self.clock = clock
    }

    public func command(bytes arguments: [[UInt8]]) throws -> RedisReply {
        guard reachable else { throw RedisError(code: .connectionClosed, message: "the in-memory Redis is down") }
        guard let first = arguments.first else { throw RedisError(code: .commandFailed, message: "ERR empty command") }
        let name = String(decoding: first, as: UTF8.self).uppercased()
        let text = arguments.dropFirst().map { String(decoding: $0, as: UTF8.self) }
        // Expired keys go when a command could see them: the keys it names, or all for KEYS and
        // SCAN (so a command costs its own keys, not the whole store's, as on a real Redis).
        if name == "KEYS" || name == "SCAN" { expireAll() } else { for key in text.prefix(name == "DEL" ? text.count : 1) { expire(key) } }
        switch (name, text.count) {
        case ("PING", 0):
            return .status("PONG")
        case ("GET", 1):
            return values[text[0]].map { .bulk($0.bytes) } ?? .null
        case ("SET", 2), ("SET", 4):
            var expires: C.Instant?
            if text.count == 4 {
                guard text[2].uppercased() == "EX", let seconds = Int(text[3]), seconds > 0 else {
                    throw RedisError(code: .commandFailed, message: "ERR syntax error")
                }
                expires = clock.now.advanced(by: .seconds(seconds))
            }
            values[text[0]] = (arguments[2], expires)
            return .status("OK")
        case ("DEL", 1...):
            let removed = text.filter { values.removeValue(forKey: $0) != nil }.count
            return .integer(removed)
        case ("TTL", 1):
            guard let entry = values[text[0]] else { return .integer(-2) }
            guard let expires = entry.expires else { return .integer(-1) }
            let remaining = clock.now.duration(to: expires).components
            return .integer(Int(remaining.seconds) + (remaining.attoseconds > 0 ? 1 : 0))
        case ("PUBLISH", 2):
            let message = RedisMessage(channel: text[0], payload: arguments[2])
            var receivers = 0
            for subscriber in subscribers.values where subscriber.channels.contains(text[0]) {
                subscriber.sink.yield(.element(message))
                receivers += 1
            }
            return .integer(receivers)
        case ("KEYS", 1):
            return .array(matchingKeys(text[0]).map { .bulk(Array($0.utf8)) })
        case ("SCAN", 1...):
            // One batch holds everything: cursor 0 ends the scan.
            let pattern = text.firstIndex(of: "MATCH").flatMap { text.indices.contains($0 + 1) ? text[$0 + 1] : nil } ?? "*"
            return .array([.bulk(Array("0".utf8)), .array(matchingKeys(pattern).map { .bulk(Array($0.utf8)) })])
        default:
            throw RedisError(code: .commandFailed, message: "ERR unknown command '\(name)' with \(text.count) arguments")
        }
    }

    /// A subscription stream, like ``RedisClient/subscribe(to:)``.
    public nonisolated func subscribe(to channels: [String]) -> AsyncStream<RedisSubscriptionEvent> {
        AsyncStream { continuation in
            Task { await self.addSubscriber(Set(channels), continuation) }
        }
    }

    /// Makes Redis reachable or not: going down interrupts every subscription, coming back
    /// resubscribes them.
    package func setReachable(_ value: Bool) {
        guard value != reachable else { return }
        reachable = value
        let event: RedisSubscriptionEvent = value
            ? .subscribed
            : .interrupted(RedisError(code: .connectionClosed, message: "the in-memory Redis is down"), retryIn: .zero)
        for subscriber in subscribers.values { subscriber.sink.yield(event) }
    }

    private func addSubscriber(_ channels: Set<String>, _ continuation: AsyncStream<RedisSubscriptionEvent>.Continuation) {
        let key = nextSubscriber
        nextSubscriber += 1
        subscribers[key] = (channels, continuation)
        if reachable { continuation.yield(.subscribed) }
        continuation.onTermination = { _ in Task { await self.removeSubscriber(key) } }
    }

    private func removeSubscriber(_ key: Int) { subscribers[key] = nil }

    private func expireAll() {
        let now = clock.now
        values = values.filter { $0.value.expires.map { now < $0 } ?? true }
    }

    private func expire(_ key: String) {
        if let expires = values[key]?.expires, clock.now >= expires { values[key] = nil }
    }

    private func matchingKeys(_ pattern: String) -> [String] {
        values.keys.filter { Glob.matches(Array($0.utf8)[...], Array(pattern.utf8)[...]) }.sorted()
    }
}

/// Redis's glob patterns, the `*` and `?` of them.
enum Glob {
    static func matches(_ text: ArraySlice<UInt8>, _ pattern: ArraySlice<UInt8>) -> Bool {
        guard let first = pattern.first else { return text.isEmpty }
        switch first {
        case UInt8(ascii: "*"):
            let rest = pattern.dropFirst()
            var candidate = text
            while true {
                if matches(candidate, rest) { return true }
                guard !candidate.isEmpty else { return false }
                candidate = candidate.dropFirst()
            }
        case UInt8(ascii: "?"):
            return !text.isEmpty && matches(text.dropFirst(), pattern.dropFirst())
        default:
            return text.first == first && matches(text.dropFirst(), pattern.dropFirst())
        }
    }
}
