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

    /// Ticks every `interval` on the cooperative pool for as long as `condition` holds (at most
    /// `limit` times) and returns how many ticks completed. Each tick needs a free pool thread
    /// to resume, so work that held every pool thread would let no tick through until it ended.
    public static func ticks(every interval: Duration = .milliseconds(25), limit: Int = 200,
                             while condition: @Sendable () -> Bool) async throws -> Int {
        var count = 0
        while count < limit, condition() {
            try await Task.sleep(for: interval)
            if condition() { count += 1 }
        }
        return count
    }
}

/// A counter tasks share with a test.
public final class SharedCounter: Sendable {
    private let storage = Atomic<Int>(0)

    public init() {}

    public var value: Int { storage.load(ordering: .relaxed) }

    public func increment() { storage.add(1, ordering: .relaxed) }
}

import Synchronization
