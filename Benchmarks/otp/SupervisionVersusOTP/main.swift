// The Swift half of the side-by-side benchmark against Erlang/OTP's supervisor
// (Benchmarks/otp/run.sh runs both and prints the ratios). Each scenario prints one line:
//   <scenario> <n> <seconds> <rss-growth-bytes>
//
//   supervision-vs-otp start N     start N children under one supervisor, then shut it down
//   supervision-vs-otp restart N   N restarts of a child that fails at once (one-for-one)
//   supervision-vs-otp memory N    RSS growth per idle supervised child
//   supervision-vs-otp tree N      the controller's shape: N rest-for-one supervisors of three
//                                  children under one root, started; the last child of each
//                                  fails once and is restarted; all shut down
//   --split (start, tree)          also prints how long each phase took
import Logging
import Supervision
import BenchmarkSupport
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Resident set size, from /proc/self/statm (pages × page size).
func residentBytes() -> Int {
    guard let file = fopen("/proc/self/statm", "r") else { return 0 }
    defer { fclose(file) }
    var size = 0
    var resident = 0
    guard withUnsafeMutablePointer(to: &size, { s in
        withUnsafeMutablePointer(to: &resident) { r in
            readStatm(file, s, r)
        }
    }) else { return 0 }
    return resident * Int(sysconf(Int32(_SC_PAGESIZE)))
}

private func readStatm(_ file: UnsafeMutablePointer<FILE>, _ size: UnsafeMutablePointer<Int>,
                       _ resident: UnsafeMutablePointer<Int>) -> Bool {
    var buffer = [CChar](repeating: 0, count: 256)
    guard fgets(&buffer, 256, file) != nil else { return false }
    let fields = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        .split(separator: " ")
    guard fields.count >= 2, let s = Int(fields[0]), let r = Int(fields[1]) else { return false }
    size.pointee = s
    resident.pointee = r
    return true
}

/// A child that waits, doing nothing, until it is cancelled.
@Sendable func idle() async throws {
    let (stream, continuation) = AsyncStream.makeStream(of: Void.self)
    for await _ in stream {}
    withExtendedLifetime(continuation) {}
    throw CancellationError()
}


let quiet = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
let clock = ContinuousClock()

func waitForStarts(_ events: AsyncStream<SupervisionEvent>, count: Int) async {
    var seen = 0
    for await event in events where event.kind == .started {
        seen += 1
        if seen == count { return }
    }
}

/// Starts `n` children one by one through the dynamic API, then shuts everything down; like
/// OTP's simple_one_for_one, the children are stopped concurrently.
func startAndShutdown(_ n: Int) async throws -> (Duration, Int) {
    let supervisor = try Supervisor(name: "bench", options: .init(shutdownOrder: .concurrent), logger: quiet)
    let before = residentBytes()
    let began = clock.now
    let run = Task { try await supervisor.run() }
    for index in 0..<n {
        try await supervisor.startChild(ChildSpec(id: "c\(index)", shutdown: .timeout(.seconds(5)), start: idle))
    }
    let grown = residentBytes() - before
    let started = clock.now
    run.cancel()
    try await run.value
    if CommandLine.arguments.contains("--split") {
        print("start phase \(started - began), shutdown phase \(clock.now - started)")
    }
    return (clock.now - began, grown)
}

/// A one-for-one supervisor restarts a child that fails at once until `n` restarts are done.
func restartThroughput(_ n: Int) async throws -> (Duration, Int) {
    let (supervisor, counter) = try crashLoopSupervisor(restarts: n)
    let began = clock.now
    let run = Task { try await supervisor.run() }
    await counter.wait()
    let elapsed = clock.now - began
    run.cancel()
    try await run.value
    return (elapsed, 0)
}

/// RSS growth with `n` idle children running.
func memoryPerChild(_ n: Int) async throws -> (Duration, Int) {
    let events = SupervisionEvents()
    let specs = (0..<n).map { ChildSpec(id: "c\($0)", start: idle) }
    let supervisor = try Supervisor(name: "bench", options: .init(), children: specs, events: events, logger: quiet)
    let starts = events.subscribe(bufferSize: n + 16)
    let before = residentBytes()
    let began = clock.now
    let run = Task { try await supervisor.run() }
    await waitForStarts(starts, count: n)
    let elapsed = clock.now - began
    let grown = residentBytes() - before
    run.cancel()
    try await run.value
    return (elapsed, grown)
}

/// Lets every waiter through at once, when opened.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let open = state.withLock { state in
                if !state.open { state.waiters.append(continuation) }
                return state.open
            }
            if open { continuation.resume() }
        }
    }

    func open() {
        for waiter in state.withLock({ state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }) { waiter.resume() }
    }
}

/// The controller's shape: `n` device supervisors (rest-for-one over three idle children, as a
/// DeviceActor over container, heartbeat and logs) started one by one under a root; then the
/// last child of each fails once and is restarted by its own supervisor; then the root is shut
/// down (its children concurrently). The RSS growth is taken once all are started.
func tree(_ n: Int) async throws -> (Duration, Int) {
    struct Crash: Error {}
    let started = StartCounter(target: 3 * n)
    let restarted = StartCounter(target: 4 * n)
    let gate = Gate()
    let failed = Mutex([Bool](repeating: false, count: n))
    let root = try Supervisor(name: "root", options: .init(shutdownOrder: .concurrent), logger: quiet)
    let before = residentBytes()
    let began = clock.now
    let run = Task { try await root.run() }
    for device in 0..<n {
        let children = (0..<3).map { index in
            ChildSpec(id: "c\(index)") {
                started.started()
                restarted.started()
                if index == 2, !failed.withLock({ $0[device] }) {
                    await gate.wait()
                    failed.withLock { $0[device] = true }
                    throw Crash()
                }
                try await idle()
            }
        }
        let supervisor = try Supervisor(name: "d\(device)", parentPath: "root",
                                        options: .init(strategy: .restForOne, intensity: RestartIntensity(maxRestarts: 3, within: .seconds(60))),
                                        children: children, logger: quiet)
        try await root.startChild(ChildSpec(id: "d\(device)", shutdown: .infinity, kind: .supervisor) { try await supervisor.run() })
    }
    await started.wait()
    let grown = residentBytes() - before
    let allStarted = clock.now
    gate.open()
    await restarted.wait()
    let allRestarted = clock.now
    run.cancel()
    try await run.value
    if CommandLine.arguments.contains("--split") {
        print("start phase \(allStarted - began), restart phase \(allRestarted - allStarted), shutdown phase \(clock.now - allRestarted)")
    }
    return (clock.now - began, grown)
}

let arguments = CommandLine.arguments.dropFirst()
guard arguments.count >= 2, let n = Int(arguments.dropFirst().first!), n > 0 else {
    print("usage: supervision-vs-otp start|restart|memory|tree N")
    exit(2)
}
let scenario = arguments.first!
let (elapsed, grown): (Duration, Int) = switch scenario {
case "start": try await startAndShutdown(n)
case "restart": try await restartThroughput(n)
case "memory": try await memoryPerChild(n)
case "tree": try await tree(n)
default: (.zero, -1)
}
guard grown >= 0 else {
    print("unknown scenario \(scenario)")
    exit(2)
}
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print("\(scenario) \(n) \(seconds) \(grown)")
