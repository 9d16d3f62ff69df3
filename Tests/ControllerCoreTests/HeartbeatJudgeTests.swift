import ControllerCore
import SupervisionTesting
import Testing

@Suite("Judging a recorder's heartbeat on the controller's own clock")
struct HeartbeatJudgeTests {
    let clock = ManualClock()

    func judge() -> HeartbeatJudge<ManualClock.Instant> {
        HeartbeatJudge(startedAt: clock.now, startupGrace: .seconds(60), staleAfter: .seconds(30), missesToDie: 3)
    }

    @Test("A new container is given its start-up grace: a missing heartbeat is not held against it")
    func grace() {
        var judge = judge()
        for _ in 0..<5 {
            clock.advance(by: .seconds(10))
            #expect(judge.check(.missing, now: clock.now) == .starting)
        }
    }

    @Test("Only several missing checks in a row after the grace mean dead; one good check resets the count")
    func missing() {
        var judge = judge()
        clock.advance(by: .seconds(61))
        #expect(judge.check(.missing, now: clock.now) == .suspect(misses: 1))
        #expect(judge.check(.missing, now: clock.now) == .suspect(misses: 2))
        #expect(judge.check(.present(timestamp: 1, status: "ok"), now: clock.now) == .alive)
        #expect(judge.check(.missing, now: clock.now) == .suspect(misses: 1))
        #expect(judge.check(.missing, now: clock.now) == .suspect(misses: 2))
        #expect(judge.check(.missing, now: clock.now) == .dead)
        #expect(judge.check(.missing, now: clock.now) == .dead, "dead while it lasts")
        #expect(judge.check(.present(timestamp: 2, status: "ok"), now: clock.now) == .alive, "a fresh beat revives it")
    }

    @Test("A heartbeat whose timestamp stops moving goes stale on our clock, whatever its own clock says")
    func stale() {
        var judge = judge()
        clock.advance(by: .seconds(61))
        #expect(judge.check(.present(timestamp: 99_999_999, status: "ok"), now: clock.now) == .alive)
        clock.advance(by: .seconds(30))
        #expect(judge.check(.present(timestamp: 99_999_999, status: "ok"), now: clock.now) == .alive)
        clock.advance(by: .seconds(1))
        #expect(judge.check(.present(timestamp: 99_999_999, status: "ok"), now: clock.now) == .suspect(misses: 1))
        #expect(judge.check(.present(timestamp: 5, status: "ok"), now: clock.now) == .alive, "a moving timestamp, even backwards, is alive")
    }

    @Test("An error report is degraded, never dead; Redis down is unknown, never dead")
    func degradedAndUnknown() {
        var judge = judge()
        clock.advance(by: .seconds(61))
        for second in 0..<10 {
            clock.advance(by: .seconds(10))
            #expect(judge.check(.present(timestamp: Double(second), status: "error"), now: clock.now) == .degraded)
        }
        for _ in 0..<10 {
            clock.advance(by: .seconds(10))
            #expect(judge.check(.unreadable, now: clock.now) == .unknown)
        }
    }
}

@Suite("Whether a recorder writes, from its workspace: a pure value on a manual clock")
struct WorkspaceProgressTests {
    let clock = ManualClock()
    let window = Duration.seconds(30)

    func print(_ files: Int, _ bytes: Int64) -> WorkspaceFingerprint {
        WorkspaceFingerprint(files: files, bytes: bytes, newestModification: Double(bytes))
    }

    @Test("A segment created or grown within the window is progress; none for the window is stalled")
    func progressThenStall() {
        var progress = WorkspaceProgress<ManualClock.Instant>(window: window)
        #expect(progress.observe(print(3, 300), now: clock.now) == .watching, "the baseline says nothing yet")
        clock.advance(by: .seconds(10))
        #expect(progress.observe(print(4, 400), now: clock.now) == .progressing, "a new segment")
        clock.advance(by: .seconds(10))
        #expect(progress.observe(print(4, 512), now: clock.now) == .progressing, "a segment grew")
        clock.advance(by: .seconds(29))
        #expect(progress.observe(print(4, 512), now: clock.now) == .progressing, "29 s since the last change")
        clock.advance(by: .seconds(1))
        #expect(progress.observe(print(4, 512), now: clock.now) == .stalled)
    }

    @Test("Nothing changing from the baseline on is stalled after the window; an unreadable workspace shows no progress")
    func neverWrites() {
        var progress = WorkspaceProgress<ManualClock.Instant>(window: window)
        _ = progress.observe(print(1, 10), now: clock.now)
        clock.advance(by: .seconds(20))
        #expect(progress.observe(print(1, 10), now: clock.now) == .watching)
        clock.advance(by: .seconds(10))
        #expect(progress.observe(nil, now: clock.now) == .stalled)
        progress.reset()
        #expect(progress.observe(nil, now: clock.now) == .watching, "reset: a new baseline")
        clock.advance(by: .seconds(30))
        #expect(progress.observe(print(1, 10), now: clock.now) == .stalled, "a first readable listing is a baseline, not a change")
    }
}
