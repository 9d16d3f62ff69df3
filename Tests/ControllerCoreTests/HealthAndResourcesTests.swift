import Foundation
import ControllerCore
import SupervisionTesting
import Testing

@Suite("The controller's health and resources, as values")
struct HealthAndResourcesTests {
    static let selfStat = "6854 (a (b) c) S 6850 6850 1535 0 -1 4194304 127 0 0 0 250 50 0 0 20 0 7 0 1942788 3133440 383 0"
    static let selfStatus = "Name:\tcat\nVmPeak:\t    3060 kB\nVmRSS:\t    1992 kB\nThreads:\t7\n"
    static let meminfo = "MemTotal:       24684092 kB\nMemFree:        1 kB\nMemAvailable:   24027660 kB\n"

    static func stat(user: UInt64, idle: UInt64) -> String {
        "cpu  \(user) 0 0 \(idle) 0 0 0 0 0 0\ncpu0 1 2 3 4\n"
    }

    @Test("procfs text: a command name with parentheses, tabs in status, CPU over the interval")
    func resources() throws {
        let first = try #require(ResourceSample.parse(selfStat: Self.selfStat, selfStatus: Self.selfStatus,
                                                      stat: Self.stat(user: 1000, idle: 3000), meminfo: Self.meminfo, seconds: 10))
        #expect(first.processTicks == 300)
        #expect(first.residentKB == 1992)
        #expect(first.threads == 7)
        let later = Self.selfStat.replacingOccurrences(of: " 250 50 ", with: " 300 100 ")
        let second = try #require(ResourceSample.parse(selfStat: later, selfStatus: Self.selfStatus,
                                                       stat: Self.stat(user: 1100, idle: 3300), meminfo: Self.meminfo, seconds: 12))
        let usage = ResourceUsage(previous: first, current: second, ticksPerSecond: 100, cpuCount: 2)
        #expect(usage.cpuPercent == 50)  // 1 s of CPU in 2 s
        #expect(usage.hostCPUPercent == 25)  // 100 busy of 400 ticks
        #expect(usage.memoryMB == 1.9)
        #expect(usage.hostMemoryTotalMB == 24105.6)
        #expect(usage.hostMemoryPercent == 2.7)
        #expect(ResourceUsage(previous: nil, current: second, ticksPerSecond: 100, cpuCount: 2).cpuPercent == 0)
        #expect(ResourceSample.parse(selfStat: "garbage", selfStatus: "", stat: "", meminfo: "", seconds: 0) == nil)
    }

    @Test("Live while the ticker makes progress; a backend down is an error, not death; a wedged tree is not live")
    func health() {
        let clock = ManualClock()
        var facts = HealthReport.Facts(startedAt: clock.now)
        var report = HealthReport.judge(facts, now: clock.now.advanced(by: .seconds(5)), progressDeadline: .seconds(30))
        #expect(report.live)
        #expect(report.status == "error", "nothing subscribed or read yet")

        facts.lastProgress = clock.now.advanced(by: .seconds(6))
        facts.databaseReadable = true
        facts.redisSubscribed = true
        facts.podmanSubscribed = true
        facts.recording = 2
        report = HealthReport.judge(facts, now: clock.now.advanced(by: .seconds(7)), progressDeadline: .seconds(30))
        #expect(report.status == "ok")
        #expect(report.components["reconciler"]?.details == "last reconcile 1.0 s ago")
        #expect(report.components["devices"]?.details == "2 recording")

        facts.databaseReadable = false
        facts.crashLoopingDevices = ["mic-b", "mic-a"]
        report = HealthReport.judge(facts, now: clock.now.advanced(by: .seconds(8)), progressDeadline: .seconds(30))
        #expect(report.live)
        #expect(report.status == "error")
        #expect(report.components["devices"] == .init(healthy: false, details: "2 recording; crash-looping (retried at the cap): mic-a, mic-b", required: false))

        report = HealthReport.judge(facts, now: clock.now.advanced(by: .seconds(37)), progressDeadline: .seconds(30))
        #expect(!report.live, "no reconcile for 31 s")
    }
}

@Suite("A persistent condition is said once, summarised once a minute, and said again when it ends")
struct PersistentConditionTests {
    @Test("Start, a summary per interval with the count, the end with how long it lasted")
    func lifecycle() {
        let clock = ManualClock()
        var condition = PersistentCondition<ManualClock.Instant>(summaryInterval: .seconds(60))
        #expect(condition.cleared(now: clock.now) == nil, "nothing to end")
        #expect(condition.occurred(now: clock.now) == .started)
        var said: [PersistentCondition<ManualClock.Instant>.Say] = []
        for _ in 1...119 {
            clock.advance(by: .seconds(1))
            if let say = condition.occurred(now: clock.now) { said.append(say) }
        }
        #expect(said == [.ongoing(occurrences: 61, lasting: .seconds(60))], "one summary in the first two minutes, not 119 lines")
        clock.advance(by: .seconds(1))
        #expect(condition.occurred(now: clock.now) == .ongoing(occurrences: 121, lasting: .seconds(120)))
        clock.advance(by: .seconds(5))
        #expect(condition.cleared(now: clock.now) == .ended(occurrences: 121, lasting: .seconds(125)))
        #expect(!condition.isActive)
        #expect(condition.occurred(now: clock.now) == .started, "a new outage starts a new condition")
    }
}
