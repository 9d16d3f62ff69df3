public import SilvasonicIO

/// Helpers for the tests of the clients' streams and executors.
public enum StreamHelpers {
    /// Reads events until the stream has subscribed again; returns whether an interruption
    /// came first (what a restarted server must cause).
    public static func awaitResubscription<Element, Failure>(
        _ events: inout AsyncStream<SubscriptionEvent<Element, Failure>>.Iterator
    ) async -> Bool {
        var sawInterruption = false
        while let event = await events.next() {
            switch event {
            case .interrupted: sawInterruption = true
            case .subscribed: return sawInterruption
            case .element: continue
            }
        }
        return false
    }

    /// Ticks `count` times every `interval` on the cooperative pool and returns the longest gap
    /// between two ticks: each tick needs a free pool thread to resume, so a gap as long as some
    /// blocking work means that work held the pool.
    public static func longestTickGap(count: Int = 20, every interval: Duration = .milliseconds(25)) async throws -> Duration {
        let clock = ContinuousClock()
        var longest = Duration.zero
        var last = clock.now
        for _ in 0..<count {
            try await Task.sleep(for: interval)
            let now = clock.now
            longest = max(longest, last.duration(to: now))
            last = now
        }
        return longest
    }
}
