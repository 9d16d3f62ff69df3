import Logging
import Supervision

/// The restart scenario both restart benchmarks measure: a one-for-one supervisor whose only
/// child fails at once, with an intensity it never reaches, and a counter that says when
/// `restarts` restarts have happened.
public func crashLoopSupervisor(restarts: Int) throws -> (supervisor: Supervisor<ContinuousClock>, counter: StartCounter) {
    struct Crash: Error {}
    let counter = StartCounter(target: restarts + 1)
    let supervisor = try Supervisor(
        name: "bench",
        options: .init(intensity: RestartIntensity(maxRestarts: restarts * 2, within: .seconds(3600))),
        children: [ChildSpec(id: "crasher") {
            counter.started()
            throw Crash()
        }],
        logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
    return (supervisor, counter)
}
