import Foundation
public import SilvasonicIO
public import Supervision
import Synchronization

/// What the followed event stream reports: ``SubscriptionEvent/subscribed`` each time it is
/// (re)opened — the moment to re-list the containers, since events may have been missed only
/// while it was down — each event, and each interruption.
public typealias ContainerEventFollow = SubscriptionEvent<ContainerEvent, PodmanError>

extension PodmanClient {
    /// Follows container events that carry all of `labels`, across Podman restarts, for as long
    /// as the consumer iterates. A reopened stream asks for the events since the last one it
    /// delivered and skips those already delivered, so an event is neither lost to a short
    /// outage nor delivered twice.
    public func followEvents(
        labels: [String: String],
        backoff: BackoffPolicy = BackoffPolicy(initial: .milliseconds(250), maximum: .seconds(10))
    ) -> AsyncStream<ContainerEventFollow> {
        let position = EventPosition()
        var filters = ["type": ["container"]]
        filters["label"] = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let filterText = Self.escape(String(decoding: (try? JSONEncoder().encode(filters)) ?? Data(), as: UTF8.self))
        return Resubscription.stream(
            backoff: backoff,
            failure: { $0 as? PodmanError ?? PodmanError(code: .streamEnded, message: "events: \($0)") },
            session: { sink in
                var query = "stream=true&filters=\(filterText)"
                if let since = position.resumePoint() { query += "&since=\(since.rfc3339)" }
                let lines = Mutex(LineBuffer())
                try await self.stream("/libpod/events?\(query)", opened: { sink.subscribed() }, data: { chunk in
                    for line in lines.withLock({ $0.feed(chunk) }) {
                        guard let event = PodmanEventDecoding.decode(line) else { continue }
                        if position.isNew(event) { sink.deliver(event) }
                    }
                })
                throw PodmanError(code: .streamEnded, message: "the event stream ended")
            })
    }
}

/// Splits a byte stream into newline-terminated lines.
struct LineBuffer: Sendable {
    private var pending: [UInt8] = []

    mutating func feed(_ chunk: [UInt8]) -> [[UInt8]] {
        pending += chunk
        var lines: [[UInt8]] = []
        var start = pending.startIndex
        while let newline = pending[start...].firstIndex(of: 10) {
            if newline > start { lines.append(Array(pending[start..<newline])) }
            start = newline + 1
        }
        pending.removeFirst(start - pending.startIndex)
        return lines
    }
}

/// The newest event delivered, and which events at that same instant were, so a resumed stream
/// (whose `since` is inclusive) delivers none twice.
private final class EventPosition: Sendable {
    private struct State {
        var last: LogTimestamp?
        var atLast: Set<ContainerEvent> = []
    }

    private let state = Mutex(State())

    func resumePoint() -> LogTimestamp? {
        state.withLock { $0.last }
    }

    func isNew(_ event: ContainerEvent) -> Bool {
        state.withLock { state in
            if let last = state.last {
                if event.time < last { return false }
                if event.time == last { return state.atLast.insert(event).inserted }
            }
            state.last = event.time
            state.atLast = [event]
            return true
        }
    }
}
