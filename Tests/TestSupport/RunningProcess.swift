import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A program started in the background, its output as lines, stoppable with a signal.
///
/// Like ``Subprocess``: `posix_spawn` with an empty signal mask, and the waiting on a dispatch
/// queue. Standard output and standard error both feed ``lines``.
public final class RunningProcess: Sendable {
    public let pid: Int32
    /// Every line the program writes, until it exits.
    public let lines: AsyncStream<String>
    private let exit: Task<Int32, Never>

    /// Starts `path` with `arguments`, the test's environment plus `environment`.
    public init(_ path: String, _ arguments: [String], environment: [String: String]) throws {
        var pipe: [Int32] = [0, 0]
        guard Subprocess.closeOnExecPipe(&pipe) == 0 else { throw Subprocess.Failure(description: "pipe failed") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, pipe[1], 2)
        posix_spawn_file_actions_addclose(&actions, pipe[0])
        posix_spawn_file_actions_addclose(&actions, pipe[1])
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = Subprocess.spawnLock.withLock { _ in posix_spawn(&pid, path, &actions, &attributes, argv, envp) }
        close(pipe[1])
        guard spawned == 0 else {
            close(pipe[0])
            throw Subprocess.Failure(description: "\(path): \(String(cString: strerror(spawned)))")
        }
        self.pid = pid
        let reader = pipe[0]
        let (lines, continuation) = AsyncStream.makeStream(of: String.self)
        self.lines = lines
        DispatchQueue.global().async {
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(reader, &buffer, buffer.count)
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { break }
                pending += buffer[0..<count]
                while let newline = pending.firstIndex(of: 10) {
                    continuation.yield(String(decoding: pending[..<newline], as: UTF8.self))
                    pending.removeSubrange(...newline)
                }
            }
            if !pending.isEmpty { continuation.yield(String(decoding: pending, as: UTF8.self)) }
            close(reader)
            continuation.finish()
        }
        let child = pid
        exit = Task.detached {
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    var status: Int32 = 0
                    while waitpid(child, &status, 0) < 0, errno == EINTR {}
                    continuation.resume(returning: (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f))
                }
            }
        }
    }

    /// Sends `signal` (SIGTERM, SIGKILL, ...).
    public func send(_ signal: Int32) {
        kill(pid, signal)
    }

    /// Waits for the exit and returns its status (128 + the signal for a killed process).
    public func waitForExit() async -> Int32 {
        await exit.value
    }
}
