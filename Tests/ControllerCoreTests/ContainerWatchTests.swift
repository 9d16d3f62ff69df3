import ControllerCore
import Testing

@Suite("ContainerWatch tells the engine's own restarts from a death the engine leaves, by the engine's word alone")
struct ContainerWatchTests {
    typealias Event = ContainerWatch.Event

    /// Feeds `events` in order; the verdicts.
    static func run(_ watch: inout ContainerWatch, _ events: [Event]) -> [ContainerWatch.Verdict] {
        events.map { watch.observe($0) }
    }

    @Test("An always-crashing recorder under on-failure:5: five of Podman's retries are its business, the sixth death ends the run at once")
    func alwaysCrashing() {
        var watch = ContainerWatch(policy: .onFailure(maxRetries: 5), startedByController: true)
        for retry in 1...5 {
            #expect(watch.observe(.died(exitCode: 3)) == .awaitingEngine)
            #expect(watch.observe(.engineRestarting) == .restartedByEngine(count: retry))
            #expect(watch.observe(.started) == .watching)
        }
        #expect(watch.observe(.died(exitCode: 3)) == .ended(exitCode: 3), "the retries are spent: Podman will not restart it")
        #expect(watch.observe(.cleanedUp) == .watching, "its cleanup afterwards changes nothing")
    }

    @Test("The same rule whatever the pace: the verdicts depend on the order of Podman's words, never on time")
    func noTiming() {
        // Podman 4.3 and 5.4 send the same words; the pure rule has no clock to differ on.
        var a = ContainerWatch(policy: .onFailure(maxRetries: 2), startedByController: true)
        let sequence: [Event] = [.died(exitCode: 1), .engineRestarting, .started, .died(exitCode: 1), .engineRestarting,
                                 .started, .died(exitCode: 1)]
        #expect(Self.run(&a, sequence) == [.awaitingEngine, .restartedByEngine(count: 1), .watching, .awaitingEngine,
                                             .restartedByEngine(count: 2), .watching, .ended(exitCode: 1)])
    }

    @Test("An adopted container's count is unknown: each death waits for Podman's word; cleanup ends the run")
    func adoptedWaitsForWord() {
        var watch = ContainerWatch(policy: .onFailure(maxRetries: 5), startedByController: false)
        #expect(Self.run(&watch, [.died(exitCode: 2), .engineRestarting, .started]) == [
            .awaitingEngine, .restartedByEngine(count: nil), .watching,
        ])
        #expect(Self.run(&watch, [.died(exitCode: 2), .cleanedUp]) == [.awaitingEngine, .ended(exitCode: 2)])
    }

    @Test("A kill through the API (podman kill) ends the run at its death, without waiting for Podman's cleanup")
    func killedThroughTheAPI() {
        var watch = ContainerWatch(policy: .onFailure(maxRetries: 5), startedByController: true)
        #expect(Self.run(&watch, [.stopRequested, .died(exitCode: 137)]) == [.watching, .ended(exitCode: 137)])
    }

    @Test("A process killed from outside the API (the OOM killer, kill -9) is Podman's to restart")
    func killedOutsideTheAPI() {
        var watch = ContainerWatch(policy: .onFailure(maxRetries: 5), startedByController: true)
        #expect(Self.run(&watch, [.died(exitCode: 137), .engineRestarting, .started]) == [
            .awaitingEngine, .restartedByEngine(count: 1), .watching,
        ])
        // A stop request is forgotten once it runs again.
        #expect(Self.run(&watch, [.stopRequested, .started, .died(exitCode: 137)]) == [.watching, .watching, .awaitingEngine])
    }

    @Test("Exit code 0 under on-failure, and any exit without a policy, end the run at once")
    func notRestartedByPolicy() {
        var onFailure = ContainerWatch(policy: .onFailure(maxRetries: 5), startedByController: true)
        #expect(onFailure.observe(.died(exitCode: 0)) == .ended(exitCode: 0))
        var never = ContainerWatch(policy: .never, startedByController: true)
        #expect(never.observe(.died(exitCode: 1)) == .ended(exitCode: 1))
        var always = ContainerWatch(policy: .always, startedByController: true)
        #expect(always.observe(.died(exitCode: 0)) == .awaitingEngine)
        var unlimited = ContainerWatch(policy: .onFailure(maxRetries: 0), startedByController: true)
        for _ in 1...50 { _ = unlimited.observe(.died(exitCode: 1)); _ = unlimited.observe(.engineRestarting) }
        #expect(unlimited.observe(.died(exitCode: 1)) == .awaitingEngine, "retries 0: Podman retries without limit")
    }

    @Test("Events lost: after the grace the container is looked at; running, it goes on; not, the run has ended")
    func noWord() {
        var watch = ContainerWatch(policy: .onFailure(maxRetries: 5), startedByController: true)
        #expect(Self.run(&watch, [.died(exitCode: 4), .noWord(running: true)]) == [.awaitingEngine, .watching])
        #expect(Self.run(&watch, [.died(exitCode: 4), .noWord(running: false)]) == [.awaitingEngine, .ended(exitCode: 4)])
        // A restart that never started.
        #expect(Self.run(&watch, [.died(exitCode: 4), .engineRestarting, .noWord(running: false)]) == [
            .awaitingEngine, .restartedByEngine(count: 1), .ended(exitCode: nil),
        ])
        // Nothing pending: a late look changes nothing.
        #expect(watch.observe(.noWord(running: false)) == .watching)
    }

    @Test("Removed while Podman decides, or between its restart and the start: the run has ended")
    func removedMeanwhile() {
        var watch = ContainerWatch(policy: .onFailure(maxRetries: 5), startedByController: true)
        #expect(Self.run(&watch, [.died(exitCode: 1), .removed]) == [.awaitingEngine, .ended(exitCode: 1)])
        #expect(Self.run(&watch, [.died(exitCode: 1), .engineRestarting, .removed]) == [
            .awaitingEngine, .restartedByEngine(count: 1), .ended(exitCode: nil),
        ])
    }

    @Test("The policy is read as Podman reads the spec's restart_policy")
    func policyNames() {
        #expect(ContainerWatch.RestartPolicy(name: "on-failure", maxRetries: 5) == .onFailure(maxRetries: 5))
        #expect(ContainerWatch.RestartPolicy(name: "always", maxRetries: 0) == .always)
        #expect(ContainerWatch.RestartPolicy(name: "unless-stopped", maxRetries: 0) == .always)
        #expect(ContainerWatch.RestartPolicy(name: "no", maxRetries: 3) == .never)
        #expect(ContainerWatch.RestartPolicy(name: "on-failure", maxRetries: -2) == .onFailure(maxRetries: 0))
    }
}
