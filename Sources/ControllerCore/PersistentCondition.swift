/// A condition that persists — a backend down, a row that cannot be written, nudges that are
/// not `reconcile` — said once when it starts, summarised at most once per interval with a
/// count while it lasts, and said again when it ends with how long it lasted; never once per
/// occurrence. A pure value: the caller hands in `now` and logs what it is told to say.
package struct PersistentCondition<Instant: InstantProtocol<Duration>>: Sendable {
    /// What to say now.
    package enum Say: Sendable, Equatable {
        /// It began (the first occurrence).
        case started
        /// It goes on: `occurrences` since it began, for `lasting`.
        case ongoing(occurrences: Int, lasting: Duration)
        /// It ended after `lasting`, with `occurrences` in all.
        case ended(occurrences: Int, lasting: Duration)
    }

    /// The least time between two summaries.
    package let summaryInterval: Duration
    private var began: Instant?
    private var lastSaid: Instant?
    private var occurrences = 0

    public init(summaryInterval: Duration = .seconds(60)) {
        self.summaryInterval = summaryInterval
    }

    /// Whether the condition holds now.
    package var isActive: Bool { began != nil }

    /// The condition occurred (again) at `now`; `nil`: say nothing.
    package mutating func occurred(now: Instant) -> Say? {
        occurrences += 1
        guard let began, let lastSaid else {
            began = now
            lastSaid = now
            return .started
        }
        guard lastSaid.duration(to: now) >= summaryInterval else { return nil }
        self.lastSaid = now
        return .ongoing(occurrences: occurrences, lasting: began.duration(to: now))
    }

    /// The condition no longer holds at `now`; `nil` when it did not hold.
    package mutating func cleared(now: Instant) -> Say? {
        guard let began else { return nil }
        defer {
            self.began = nil
            lastSaid = nil
            occurrences = 0
        }
        return .ended(occurrences: occurrences, lasting: began.duration(to: now))
    }
}
