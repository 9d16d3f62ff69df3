import SilvasonicIO
import Supervision

/// What a LISTEN stream reports: each (re)connection, each notification, each interruption.
public enum PostgresListenEvent: Sendable, Equatable {
    /// The channels are listened to, on a new connection. Notifications sent while the stream
    /// was interrupted are lost (PostgreSQL does not keep them): re-read what they would have said.
    case listening
    /// A notification on one of the channels.
    case notification(PostgresNotification)
    /// The connection broke or could not be made; the next attempt follows after `retryIn`.
    case interrupted(PostgresError, retryIn: Duration)
}

extension PostgresClient {
    /// LISTENs on `channels` over a dedicated connection, renewed after every reconnect, until
    /// the consuming task stops iterating.
    ///
    /// ```swift
    /// for await event in client.notifications(on: ["devices_changed"]) {
    ///     if case .notification(let note) = event { print(note.payload) }
    /// }
    /// ```
    public nonisolated func notifications(on channels: [String]) -> AsyncStream<PostgresListenEvent> {
        let configuration = self.configuration
        return AsyncStream { continuation in
            let task = Task {
                var schedule = ReconnectSchedule<ContinuousClock.Instant>(backoff: configuration.reconnectBackoff)
                var random = SystemRandomNumberGenerator()
                while !Task.isCancelled {
                    var connection: PostgresConnection?
                    var listeningSince: ContinuousClock.Instant?
                    do {
                        let opened = try await PostgresConnection.connect(configuration)
                        connection = opened
                        try await opened.listen(channels)
                        listeningSince = .now
                        continuation.yield(.listening)
                        try await opened.waitForNotifications { continuation.yield(.notification($0)) }
                    } catch is CancellationError {
                        break
                    } catch {
                        if Task.isCancelled { break }
                        let failure = error as? PostgresError ?? PostgresError(code: .connectionClosed, message: "\(error)")
                        let now = ContinuousClock.now
                        // A connection that stayed up long enough resets the backoff; one that
                        // breaks right after LISTEN keeps backing off, never a hot loop.
                        if let listeningSince, listeningSince.duration(to: now) >= configuration.reconnectBackoff.resetAfter {
                            schedule.connected()
                        }
                        let next = schedule.attemptFailed(at: now, randomUnit: BackoffPolicy.randomUnit(using: &random))
                        continuation.yield(.interrupted(failure, retryIn: now.duration(to: next)))
                        try? await Task.sleep(until: next, clock: .continuous)
                    }
                    await connection?.close()
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
