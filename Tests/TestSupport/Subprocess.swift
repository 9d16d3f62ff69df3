import Dispatch
import Synchronization
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program and collects its standard output, with `posix_spawn` and `waitpid`.
///
/// Foundation's `Process` is not used: inside a Swift Testing run its exit is never noticed
/// (the child stays a zombie and `waitUntilExit`/`terminationHandler` wait forever). The blocking
/// wait runs on a dispatch queue, never on the cooperative pool.
public enum Subprocess {
    /// The exit status and standard output of one run.
    public struct Result: Sendable {
        public var status: Int32
        public var output: String
    }

    /// Runs `path` with `arguments`; standard error goes to the test's own.
    public static func run(_ path: String, _ arguments: [String]) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Swift.Result { try runBlocking(path, arguments) })
            }
        }
    }

    private static func runBlocking(_ path: String, _ arguments: [String]) throws -> Result {
        let (pid, reader) = try spawn(path, arguments, environment: ProcessInfo.processInfo.environment, includeStandardError: false)
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(reader, &buffer, buffer.count)
            if count > 0 { output += buffer[0..<count]; continue }
            if count < 0, errno == EINTR { continue }
            break
        }
        close(reader)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(status: exitStatus, output: String(decoding: output, as: UTF8.self))
    }

    /// Starts `path` with its standard output (and, if asked, standard error) on a pipe, and an
    /// empty signal mask: the calling dispatch thread blocks most signals and a child inherits
    /// that mask, so a server started with SIGTERM blocked would ignore `stop`.
    /// - Returns: the child's pid and the pipe's read end, which the caller closes.
    static func spawn(_ path: String, _ arguments: [String], environment: [String: String],
                      includeStandardError: Bool) throws -> (pid: Int32, reader: Int32) {
        var pipe: [Int32] = [0, 0]
        guard closeOnExecPipe(&pipe) == 0 else { throw Failure(description: "pipe: \(String(cString: strerror(errno)))") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipe[1], 1)
        if includeStandardError { posix_spawn_file_actions_adddup2(&actions, pipe[1], 2) }
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
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = spawnLock.withLock { _ in posix_spawn(&pid, path, &actions, &attributes, argv, envp) }
        close(pipe[1])
        guard spawned == 0 else {
            close(pipe[0])
            throw Failure(description: "\(path): \(String(cString: strerror(spawned)))")
        }
        return (pid, pipe[0])
    }

    /// Makes a pipe whose ends are not inherited by children: another test's child spawned
    /// meanwhile (a server daemon, say) must not hold this pipe's write end, or the reader would
    /// never see the end. Spawns take the same lock (``spawnLock``), so no spawn falls between
    /// `pipe` and `fcntl`.
    static func closeOnExecPipe(_ fds: inout [Int32]) -> Int32 {
        spawnLock.withLock { _ in
            guard Glibc.pipe(&fds) == 0 else { return -1 }
            _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
            return 0
        }
    }

    /// Held around making a pipe and around spawning.
    static let spawnLock = Mutex(())

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }
}
