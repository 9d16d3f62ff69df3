import Supervision
import Testing

@Suite("SupervisionEvent.Kind: a struct a later release can add kinds to")
struct SupervisionEventKindTests {
    @Test("Kinds compare with ==, carry their values in properties, and print as the enum cases they were")
    func values() {
        let failed = SupervisionEvent.Kind.failed("boom")
        #expect(failed == .failed("boom"))
        #expect(failed != .failed("other"))
        #expect(failed.failure == "boom")
        #expect(failed.restartDelay == nil)
        #expect("\(failed)" == #"failed("boom")"#)
        let restart = SupervisionEvent.Kind.restartScheduled(after: .seconds(2))
        #expect(restart.restartDelay == .seconds(2))
        #expect("\(restart)" == "restartScheduled(after: 2.0 seconds)")
        #expect(SupervisionEvent.Kind.abandoned(after: .seconds(5)).abandonedAfter == .seconds(5))
        let gaveUp = SupervisionEvent.Kind.gaveUp(maxRestarts: 3, within: .seconds(5))
        #expect(gaveUp.intensity == RestartIntensity(maxRestarts: 3, within: .seconds(5)))
        #expect(gaveUp.retryInterval == nil)
        let looping = SupervisionEvent.Kind.crashLooping(maxRestarts: 3, within: .seconds(5), retryEvery: .seconds(30))
        #expect(looping.intensity?.maxRestarts == 3)
        #expect(looping.retryInterval == .seconds(30))
        #expect(SupervisionEvent.Kind.started == .started)
        #expect("\(SupervisionEvent.Kind.shutDown)" == "shutDown")
        // A switch names the kinds it knows and has a default for the rest.
        let name = switch restart {
        case .started: "started"
        case .stopped: "stopped"
        default: restart.restartDelay != nil ? "restarting" : "other"
        }
        #expect(name == "restarting")
    }
}
