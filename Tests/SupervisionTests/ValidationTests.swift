import Supervision
import SupervisionTesting
import Testing

@Suite("Specs and options are checked up front, each with a precise error")
struct ValidationTests {
    func error(options: SupervisorOptions = .init(), children: [ChildSpec]) -> SupervisorError? {
        do {
            _ = try Supervisor(name: "v", options: options, children: children, clock: ManualClock())
            return nil
        } catch {
            return error
        }
    }

    func child(_ id: ChildID, restart: RestartType = .permanent, shutdown: Shutdown = .brutalKill,
               significant: Bool = false) -> ChildSpec {
        ChildSpec(id: id, restart: restart, shutdown: shutdown, significant: significant) {}
    }

    @Test("An empty id")
    func emptyID() { #expect(error(children: [child("")])?.code == .emptyChildID) }

    @Test("Duplicate ids name the id")
    func duplicate() {
        let failure = error(children: [child("a"), child("b"), child("a")])
        #expect(failure?.code == .duplicateChildID)
        #expect(failure?.child == "a")
    }

    @Test("A permanent significant child")
    func permanentSignificant() {
        #expect(error(options: .init(autoShutdown: .anySignificant),
                      children: [child("a", significant: true)])?.code == .permanentSignificantChild)
    }

    @Test("A significant child under autoShutdown never")
    func significantNever() {
        #expect(error(children: [child("a", restart: .transient, significant: true)])?.code
            == .significantChildWithoutAutoShutdown)
    }

    @Test("A zero or negative shutdown timeout", arguments: [Duration.zero, .seconds(-1)])
    func badTimeout(limit: Duration) {
        #expect(error(children: [child("a", shutdown: .timeout(limit))])?.code == .invalidShutdownTimeout)
    }

    @Test("A negative intensity or a non-positive period", arguments: [
        RestartIntensity(maxRestarts: -1, within: .seconds(1)), RestartIntensity(maxRestarts: 1, within: .zero),
    ])
    func badIntensity(intensity: RestartIntensity) {
        #expect(error(options: .init(intensity: intensity), children: [])?.code == .invalidIntensity)
    }

    @Test("An inconsistent backoff", arguments: [
        BackoffPolicy(initial: .seconds(2), maximum: .seconds(1)),
        BackoffPolicy(multiplier: 0.5),
        BackoffPolicy(jitter: 1.5),
        BackoffPolicy(initial: .seconds(-1)),
    ])
    func badBackoff(backoff: BackoffPolicy) {
        #expect(error(options: .init(backoff: backoff), children: [])?.code == .invalidBackoff)
    }

    @Test("Every message names the supervisor and says what would be accepted")
    func messages() {
        let failure = error(children: [child("a", shutdown: .timeout(.zero))])
        #expect(failure?.description.contains("supervisor v, child a") == true)
        #expect(failure?.description.contains(".brutalKill") == true)
    }

    @Test("Error codes compare, match in a switch (with a default: more may come) and print their names")
    func codes() {
        let failure = error(children: [child(""), child("a")])
        #expect(failure?.code == .emptyChildID)
        let matched = switch failure?.code {
        case .emptyChildID?: true
        default: false
        }
        #expect(matched)
        #expect("\(SupervisorError.Code.restartIntensityExceeded)" == "restartIntensityExceeded")
        #expect(SupervisorError.Code.noSuchChild != .childRunning)
    }
}
