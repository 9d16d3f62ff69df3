import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Supervision
import SupervisionTesting
import Synchronization
import Testing

/// Runs `arguments` as a process of its own and returns when it exits 0; throws when it exits
/// otherwise. Cancelled, it stops the process with SIGTERM and returns once it has ended.
// step: run-process
func runProcess(_ arguments: [String]) async throws {
    struct Ended: Error, CustomStringConvertible {
        var description: String
    }
    // The process starts with no signal blocked and SIGTERM's default action: the spawning
    // thread may block signals (Dispatch's threads do), and a child that inherits a blocked
    // SIGTERM cannot be stopped.
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var none = sigset_t(), term = sigset_t()
    sigemptyset(&none)
    sigemptyset(&term)
    sigaddset(&term, SIGTERM)
    posix_spawnattr_setsigmask(&attributes, &none)
    posix_spawnattr_setsigdefault(&attributes, &term)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    var spawned: pid_t = 0
    let argv = arguments.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    let failure = posix_spawn(&spawned, arguments[0], nil, &attributes, argv, environ)
    guard failure == 0 else { throw Ended(description: "not started: \(String(cString: strerror(failure)))") }
    let pid = spawned
    let status: Int32 = await withTaskCancellationHandler {
        await withCheckedContinuation { continuation in
            // waitpid blocks: on a thread of its own, never the cooperative pool's.
            DispatchQueue.global().async {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1, errno == EINTR {}
                continuation.resume(returning: status)
            }
        }
    } onCancel: {
        kill(pid, SIGTERM)
    }
    if Task.isCancelled { return }
    let signal = status & 0x7f, code = (status >> 8) & 0xff
    guard signal == 0 else { throw Ended(description: "killed by signal \(signal)") }
    guard code == 0 else { throw Ended(description: "exited with \(code)") }
}
// end

/// The code of the article "Supervising a program, step by step"
/// (`Sources/Supervision/Supervision.docc/StepByStep.md`), run: each region between a `// step:`
/// line and `// end` is quoted there word for word, which ``articleQuotesThisCode()`` checks.
@Suite("The step-by-step article's code, run on a manual clock")
struct StepByStepTests {
    let clock = ManualClock()
    let events = SupervisionEvents()

    @Test("Step 1: a flaky worker is restarted at once, then after a backoff, and then runs on")
    func flakyWorker() async throws {
        let clock = self.clock, events = self.events
        var seen = EventWatcher(events)
        // step: flaky-worker
        struct Flaky: Error {}
        let runs = Atomic(0)
        let worker = ChildSpec(id: "worker") {
            // The first two runs fail at once; the third works until it is stopped.
            if runs.add(1, ordering: .relaxed).newValue < 3 { throw Flaky() }
            try await clock.sleep(for: .seconds(3600))
        }
        let app = try Supervisor(
            name: "app",
            options: SupervisorOptions(
                intensity: RestartIntensity(maxRestarts: 5, within: .seconds(60)),
                backoff: BackoffPolicy(initial: .seconds(1), maximum: .seconds(30), jitter: 0,
                                       immediateFirstRestart: true)),
            children: [worker],
            clock: clock, events: events, logger: quietLogger)
        // end
        let running = Task { try await app.run() }
        await seen.until(.restartScheduled(after: .zero), "worker")
        await seen.until(.restartScheduled(after: .seconds(1)), "worker")
        await clock.waitForSleepers(atLeast: 1)
        clock.advance(by: .seconds(1))
        await seen.until(.started, "worker")
        #expect(seen.starts["worker"] == 3)
        #expect(await app.whichChildren().first?.restarts == 2)
        await app.shutdown()
        try await running.value
    }

    @Test("Step 2: a rest-for-one pipeline restarts the parser that failed and the writer after it, never the reader")
    func pipeline() async throws {
        let clock = self.clock, events = self.events
        var seen = EventWatcher(events)
        let reader = ChildControl("reader"), parser = ChildControl("parser"), writer = ChildControl("writer")
        // step: pipeline
        let pipeline = try Supervisor(
            name: "pipeline",
            options: SupervisorOptions(strategy: .restForOne,
                                       intensity: RestartIntensity(maxRestarts: 3, within: .seconds(10))),
            children: [
                ChildSpec(id: "reader") { try await reader.run() },   // reads the input
                ChildSpec(id: "parser") { try await parser.run() },   // parses the reader's lines
                ChildSpec(id: "writer") { try await writer.run() },   // writes the parser's records
            ],
            clock: clock, events: events, logger: quietLogger)
        // end
        let running = Task { try await pipeline.run() }
        await seen.until(.started, "writer")
        parser.fail("a line it cannot parse")
        await seen.until(.started, "writer")
        #expect(["reader", "parser", "writer"].map { seen.starts[$0] ?? 0 } == [1, 2, 2])
        await pipeline.shutdown()
        try await running.value
    }

    @Test("Step 3: one temporary child per connection; one that ends or fails is gone, the others go on")
    func connections() async throws {
        let clock = self.clock, events = self.events
        var seen = EventWatcher(events)
        let clients = (0..<3).map { ChildControl("connection-\($0)") }
        @Sendable func serve(_ number: Int) async throws { try await clients[number].run() }
        // step: connections
        let connection = ChildTemplate<Int>(restart: .temporary) { number in
            try await serve(number)   // returns when the client hangs up
        }
        let server = try Supervisor(name: "server", options: SupervisorOptions(shutdownOrder: .concurrent),
                                    clock: clock, events: events, logger: quietLogger)
        // end
        let running = Task { try await server.run() }
        for number in 0..<3 {
            // step: accept
            try await server.startChild(from: connection, id: "connection-\(number)", argument: number)
            // end
        }
        #expect(await server.countChildren().active == 3)
        clients[0].exit()
        await seen.until(.exitedNormally, "connection-0")
        clients[1].fail("the client sent garbage")
        await seen.until(.failed("the client sent garbage"), "connection-1")
        let left = await server.whichChildren()
        #expect(left.map(\.id) == ["connection-2"], "temporary children are gone once they end")
        #expect(seen.starts["connection-1"] == 1, "and never restarted")
        await server.shutdown()
        try await running.value
    }

    @Test("Step 4: a process outside the program, supervised: its failure restarts it, a shutdown stops it")
    func process() async throws {
        let clock = self.clock, events = self.events
        var seen = EventWatcher(events)
        // The second process says its pid through a FIFO, which the test reads as it is written.
        let fifo = FileManager.default.temporaryDirectory.appendingPathComponent("step4-\(UUID().uuidString)").path
        #expect(mkfifo(fifo, 0o600) == 0)
        defer { unlink(fifo) }
        let said = Task.detached {
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    let text = FileHandle(forReadingAtPath: fifo).map { String(decoding: $0.readDataToEndOfFile(), as: UTF8.self) }
                    continuation.resume(returning: text.flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
                }
            }
        }
        // The first run exits 3; the next one runs until it is stopped.
        let commands = Mutex(["exit 3", "echo $$ > \(fifo); exec sleep 3600"])
        @Sendable func nextCommand() -> String { commands.withLock { $0.count > 1 ? $0.removeFirst() : $0[0] } }
        // step: process
        let service = ChildSpec(id: "service", shutdown: .timeout(.seconds(10))) {
            try await runProcess(["/bin/sh", "-c", nextCommand()])
        }
        let supervisor = try Supervisor(
            name: "station",
            options: SupervisorOptions(backoff: BackoffPolicy(initial: .seconds(1), jitter: 0, immediateFirstRestart: true),
                                       intensityPolicy: .retryAtCap),
            children: [service],
            clock: clock, events: events, logger: quietLogger)
        // end
        let running = Task { try await supervisor.run() }
        await seen.until(.failed("exited with 3"), "service")
        await seen.until(.started, "service")
        let pid = try #require(await said.value, "the second process said its pid")
        #expect(kill(pid, 0) == 0, "the process runs")
        await supervisor.shutdown()
        try await running.value
        #expect(kill(pid, 0) == -1 && errno == ESRCH, "stopped with the supervisor")
    }

    @Test("The article quotes every region of this file word for word")
    func articleQuotesThisCode() throws {
        let here = URL(fileURLWithPath: #filePath)
        let root = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let article = try String(contentsOf: root.appendingPathComponent("Sources/Supervision/Supervision.docc/StepByStep.md"),
                                 encoding: .utf8)
        let code = try String(contentsOf: here, encoding: .utf8)
        var regions: [String: [String]] = [:]
        var current: (name: String, lines: [String])?
        for line in code.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("// step: ") {
                current = (String(trimmed.dropFirst(9)), [])
            } else if trimmed == "// end", let region = current {
                regions[region.name] = region.lines
                current = nil
            } else if current != nil {
                current?.lines.append(String(line))
            }
        }
        #expect(regions.keys.sorted() == ["accept", "connections", "flaky-worker", "pipeline", "process", "run-process"])
        for (name, lines) in regions {
            let indent = lines.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
                .map { $0.prefix { $0 == " " }.count }.min() ?? 0
            let quoted = lines.map { String($0.dropFirst(min(indent, $0.count))) }.joined(separator: "\n")
            #expect(article.contains(quoted), "the article does not quote region \(name):\n\(quoted)")
        }
    }
}
