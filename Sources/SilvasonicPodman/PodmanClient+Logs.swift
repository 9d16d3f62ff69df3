public import SilvasonicIO
public import Supervision
import Synchronization

/// What a followed log reports: ``SubscriptionEvent/subscribed`` each time the log is (re)opened,
/// each new line, and each interruption (the container stopped, Podman went away) with the wait
/// before the next attempt.
public typealias LogFollowEvent = SubscriptionEvent<LogLine, PodmanError>

extension PodmanClient {
    /// The last `tail` lines of a container's log (all of them when `nil`), without following.
    package func logLines(_ nameOrID: String, tail: Int? = nil, maximumLineBytes: Int = 16_384) async throws -> [LogLine] {
        let collected = Mutex((LogDecoder(maximumLineBytes: maximumLineBytes), [LogLine]()))
        var query = "stdout=true&stderr=true&timestamps=true&follow=false"
        if let tail { query += "&tail=\(tail)" }
        try await stream("/libpod/containers/\(Self.escape(nameOrID))/logs?\(query)", opened: {}, data: { chunk in
            collected.withLock { $0.1 += $0.0.feed(chunk) }
        })
        return collected.withLock { $0.1 + $0.0.finish() }
    }

    /// Follows a container's log for as long as the consumer iterates: across the container's
    /// restarts and Podman's, reopening with `since` the last line seen and skipping any line not
    /// newer than it, so nothing is delivered twice.
    ///
    /// At most `bufferLimit` lines wait for a slow consumer; beyond that new lines are dropped
    /// and counted in the next delivered line's ``LogLine/droppedBefore``. While the container is
    /// stopped the log is reopened on the backoff's schedule.
    /// - Parameters:
    ///   - since: deliver only lines newer than this; `nil`: only lines logged from now on.
    ///   - backoff: the waits between reopening attempts.
    public func followLogs(
        _ nameOrID: String, since: LogTimestamp? = nil, bufferLimit: Int = 1024, maximumLineBytes: Int = 16_384,
        backoff: BackoffPolicy = BackoffPolicy(initial: .milliseconds(250), maximum: .seconds(5))
    ) -> AsyncStream<LogFollowEvent> {
        let follow = FollowState(since: since)
        return Resubscription.stream(
            backoff: backoff, bufferLimit: bufferLimit,
            failure: { $0 as? PodmanError ?? PodmanError(code: .streamEnded, message: "\(nameOrID): \($0)") },
            session: { sink in
                // The first session without `since` starts at the present; later ones resume.
                let start = follow.resumePoint()
                let query = "stdout=true&stderr=true&timestamps=true&follow=true&since=\(start.rfc3339)"
                let decoder = Mutex(LogDecoder(maximumLineBytes: maximumLineBytes))
                try await self.stream("/libpod/containers/\(Self.escape(nameOrID))/logs?\(query)", opened: {
                    sink.subscribed()
                }, data: { chunk in
                    for line in decoder.withLock({ $0.feed(chunk) }) { follow.offer(line, to: sink) }
                })
                for line in decoder.withLock({ $0.finish() }) { follow.offer(line, to: sink) }
                throw PodmanError(code: .streamEnded, message: "the log of \(nameOrID) ended (the container stopped)")
            })
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Where a follow stands, shared by its sessions: what to ask for and which lines to skip.
///
/// Podman's `since` filter works to the nanosecond, but the timestamps it prints have whole
/// seconds, and several lines often share one. So the first session asks from a precise instant
/// and delivers everything; a later one asks from the second of the last delivered line and
/// skips as many lines of that second as were delivered already. Log order is stable, so
/// nothing is replayed and nothing is lost.
private final class FollowState: Sendable {
    private struct State {
        /// The precise start of the follow, used until a line was delivered.
        var origin: LogTimestamp
        /// The timestamp of the newest delivered line and how many lines of it were delivered.
        var last: LogTimestamp?
        var deliveredAtLast = 0
        /// Lines of `last` the current session has yet to skip.
        var toSkip = 0
        var dropped = 0
    }

    private let state: Mutex<State>

    /// Starts after `since`, or at the present moment: a new follower never replays history.
    init(since: LogTimestamp?) {
        state = Mutex(State(origin: since ?? Self.now()))
    }

    /// The `since` of a new session.
    func resumePoint() -> LogTimestamp {
        state.withLock { state in
            state.toSkip = state.deliveredAtLast
            return state.last ?? state.origin
        }
    }

    /// Delivers `line` unless an earlier session delivered it already.
    func offer(_ line: LogLine, to sink: SubscriptionSink<LogLine, PodmanError>) {
        state.withLock { state in
            if let time = line.timestamp, let last = state.last {
                if time < last { return }
                if time == last {
                    if state.toSkip > 0 { state.toSkip -= 1; return }
                    state.deliveredAtLast += 1
                } else {
                    state.last = time
                    state.deliveredAtLast = 1
                    state.toSkip = 0
                }
            } else if let time = line.timestamp {
                state.last = time
                state.deliveredAtLast = 1
            }
            var line = line
            line.droppedBefore = state.dropped
            if sink.deliver(line) { state.dropped = 0 } else { state.dropped += 1 }
        }
    }

    private static func now() -> LogTimestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return LogTimestamp(seconds: Int64(spec.tv_sec), nanoseconds: Int32(spec.tv_nsec))
    }
}
