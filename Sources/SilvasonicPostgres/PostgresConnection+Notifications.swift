import CLibPQ
import Foundation
import SilvasonicIO

/// A `NOTIFY` that arrived on a channel this connection listens to.
package struct PostgresNotification: Sendable, Hashable {
    public var channel: String
    public var payload: String
    /// The process id of the server backend that sent it.
    var senderProcessID: Int32

    public init(channel: String, payload: String, senderProcessID: Int32) {
        self.channel = channel
        self.payload = payload
        self.senderProcessID = senderProcessID
    }
}

extension PostgresConnection {
    /// `LISTEN`s on each channel; names are quoted as identifiers, so any text is safe.
    func listen(_ channels: [String]) throws {
        for channel in channels {
            try query("LISTEN \(Self.quoteIdentifier(channel))")
        }
    }

    /// Hands every notification to `deliver` until the connection breaks or the task is cancelled.
    ///
    /// No thread waits: the socket is watched by a ``ReadinessSource`` on this connection's own
    /// queue, and libpq reads only what has arrived (`PQconsumeInput`).
    /// - Throws: ``PostgresError`` `connectionClosed` when the server goes away,
    ///   `CancellationError` when the calling task is cancelled.
    func waitForNotifications(_ deliver: @escaping @Sendable (PostgresNotification) -> Void) async throws {
        let handle = try openHandle()
        guard notificationWait == nil else {
            throw PostgresError(code: .misuse, message: "this connection already waits for notifications")
        }
        drainNotifications(handle, deliver)
        let descriptor = PQsocket(handle)
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                    return
                }
                let source = ReadinessSource(descriptor: descriptor, executor: executor) { [self] in
                    self.assumeIsolated { $0.socketReadable() }
                }
                notificationWait = ReadinessWait(source: source, continuation: continuation, deliver: deliver)
            }
        } onCancel: {
            executor.queue.async { [self] in
                self.assumeIsolated { $0.finishNotificationWait(throwing: CancellationError()) }
            }
        }
    }

    private func socketReadable() {
        guard let wait = notificationWait else { return }
        guard let handle = connection?.raw, PQconsumeInput(handle) == 1, PQstatus(handle) == CONNECTION_OK else {
            let reason = connection.map { Self.errorMessage(of: $0.raw) } ?? "closed"
            finishNotificationWait(throwing: PostgresError(code: .connectionClosed, message: "\(configuration): \(reason)"))
            return
        }
        drainNotifications(handle, wait.deliver)
    }

    func finishNotificationWait(throwing error: any Error) {
        guard let wait = notificationWait else { return }
        notificationWait = nil
        wait.finish(throwing: error)
    }

    private func drainNotifications(_ handle: OpaquePointer, _ deliver: @Sendable (PostgresNotification) -> Void) {
        while let notify = PQnotifies(handle) {
            let value = notify.pointee
            deliver(PostgresNotification(
                channel: String(cString: value.relname),
                payload: value.extra.map { String(cString: $0) } ?? "",
                senderProcessID: value.be_pid))
            PQfreemem(notify)
        }
    }

    /// `"name"` with inner quotes doubled: an identifier PostgreSQL reads back exactly.
    static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
