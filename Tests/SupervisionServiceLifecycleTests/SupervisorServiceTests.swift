import ServiceLifecycle
import ServiceLifecycleTestKit
import Supervision
import SupervisionServiceLifecycle
import Synchronization
import Testing

/// A service that runs until cancelled and counts its runs.
final class CountingService: Service, Sendable {
    let runs = Mutex(0)
    let started: AsyncStream<Int>
    private let startedContinuation: AsyncStream<Int>.Continuation

    init() {
        (started, startedContinuation) = AsyncStream.makeStream()
    }

    func run() async throws {
        let run = runs.withLock { runs in
            runs += 1
            return runs
        }
        startedContinuation.yield(run)
        // Ends on cancellation, as a well-behaved service does.
        let (never, _) = AsyncStream.makeStream(of: Void.self)
        for await _ in never {}
        try Task.checkCancellation()
    }
}

@Suite("swift-service-lifecycle integration")
struct SupervisorServiceTests {
    @Test("A graceful shutdown reaches every child of a supervisor run as a Service")
    func gracefulShutdown() async throws {
        let first = CountingService()
        let second = CountingService()
        let supervisor = try Supervisor(name: "svc", children: [
            .service(id: "first", first), .service(id: "second", second),
        ])
        var events = supervisor.events.subscribe().makeAsyncIterator()
        try await testGracefulShutdown { trigger in
            let task = Task { try await SupervisorService(supervisor).run() }
            var firstStarts = first.started.makeAsyncIterator()
            var secondStarts = second.started.makeAsyncIterator()
            _ = await firstStarts.next()
            _ = await secondStarts.next()
            trigger.triggerGracefulShutdown()
            try await task.value
        }
        var kinds: [String] = []
        while let event = await events.next() {
            kinds.append("\(event.child ?? "-"):\(event.kind)")
            if event.kind == .shutDown { break }
        }
        #expect(kinds == ["first:started", "second:started", "second:stopped", "first:stopped", "-:shutDown"])
    }

    @Test("A supervised Service that fails is restarted")
    func restartService() async throws {
        final class Flaky: Service, Sendable {
            let attempts = Mutex(0)
            func run() async throws {
                let attempt = attempts.withLock { value in
                    value += 1
                    return value
                }
                if attempt == 1 { throw CancellationError() }
                let (never, _) = AsyncStream.makeStream(of: Void.self)
                for await _ in never {}
            }
        }
        let flaky = Flaky()
        let supervisor = try Supervisor(name: "svc", children: [.service(id: "flaky", flaky)])
        var events = supervisor.events.subscribe().makeAsyncIterator()
        let task = Task { try await supervisor.run() }
        var starts = 0
        while let event = await events.next() {
            if event.kind == .started { starts += 1 }
            if starts == 2 { break }
        }
        task.cancel()
        try await task.value
        #expect(flaky.attempts.withLock { $0 } == 2)
    }
}
