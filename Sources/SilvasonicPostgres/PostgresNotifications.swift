package import SilvasonicIO

/// What a LISTEN stream reports: ``SubscriptionEvent/subscribed`` after each (re)connection, each
/// notification, each interruption. Notifications sent while the stream was interrupted are lost
/// (PostgreSQL does not keep them): on `subscribed`, re-read what they would have said.
package typealias PostgresListenEvent = SubscriptionEvent<PostgresNotification, PostgresError>

extension PostgresClient {
    /// LISTENs on `channels` over a dedicated connection, renewed after every reconnect, until
    /// the consuming task stops iterating.
    ///
    /// ```swift
    /// for await event in client.notifications(on: ["devices_changed"]) {
    ///     if case .element(let note) = event { print(note.payload) }
    /// }
    /// ```
    package nonisolated func notifications(on channels: [String]) -> AsyncStream<PostgresListenEvent> {
        let configuration = self.configuration
        return Resubscription.stream(
            backoff: configuration.reconnectBackoff,
            failure: { $0 as? PostgresError ?? PostgresError(code: .connectionClosed, message: "\($0)") },
            session: { sink in
                let connection = try await PostgresConnection.connect(configuration)
                do {
                    try await connection.listen(channels)
                    sink.subscribed()
                    try await connection.waitForNotifications { sink.deliver($0) }
                } catch {
                    await connection.close()
                    throw error
                }
            })
    }
}
