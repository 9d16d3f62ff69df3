import SilvasonicIO
import Supervision
import Testing

@Suite("When a client may reconnect: the pure decisions")
struct ConnectionSlotTests {
    final class Connection: Sendable {}
    typealias Instant = ContinuousClock.Instant
    private let start = ContinuousClock.now
    private let backoff = BackoffPolicy(initial: .seconds(1), multiplier: 2, maximum: .seconds(8), jitter: 0)

    @Test("The first call connects; a success is used until it is lost; a loss reconnects at once")
    func connectUseLose() {
        var slot = ConnectionSlot<Connection, Instant>(backoff: backoff)
        guard case .connect = slot.next(at: start) else { Issue.record("expected connect"); return }
        let connection = Connection()
        slot.connected(connection)
        guard case .use(let used) = slot.next(at: start), used === connection else { Issue.record("expected use"); return }
        slot.lost(Connection(), reason: "another connection")  // not ours: ignored
        guard case .use = slot.next(at: start) else { Issue.record("a foreign loss dropped the connection"); return }
        slot.lost(connection, reason: "reset by peer")
        guard case .connect = slot.next(at: start) else { Issue.record("expected reconnect at once"); return }
        #expect(slot.statistics == { var s = ConnectionStatistics(); s.connects = 1; s.losses = 1; return s }())
    }

    @Test("Failed attempts back off exponentially up to the cap; a success resets the count")
    func backoffGrows() {
        var slot = ConnectionSlot<Connection, Instant>(backoff: backoff)
        var now = start
        var waits: [Duration] = []
        for _ in 0..<6 {
            slot.failed(reason: "refused", at: now, randomUnit: 0.5)
            guard case .wait(let until, let lastFailure) = slot.next(at: now) else { Issue.record("expected wait"); return }
            #expect(lastFailure == "refused")
            waits.append(now.duration(to: until))
            now = until
            guard case .connect = slot.next(at: now) else { Issue.record("expected connect at the deadline"); return }
        }
        #expect(waits == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(8), .seconds(8)])
        slot.connected(Connection())
        slot.lost(slot.connection!, reason: "gone")
        slot.failed(reason: "refused", at: now, randomUnit: 0.5)
        guard case .wait(let until, _) = slot.next(at: now) else { Issue.record("expected wait"); return }
        #expect(now.duration(to: until) == .seconds(1))
    }

    @Test("The schedule allows an attempt exactly from its deadline on")
    func schedule() {
        var schedule = ReconnectSchedule<Instant>(backoff: backoff)
        #expect(schedule.mayAttempt(at: start))
        let next = schedule.attemptFailed(at: start, randomUnit: 0.5)
        #expect(!schedule.mayAttempt(at: next.advanced(by: .nanoseconds(-1))))
        #expect(schedule.mayAttempt(at: next))
        schedule.connected()
        #expect(schedule.failures == 0)
        #expect(schedule.mayAttempt(at: start))
    }
}
