import Dispatch
import Foundation
import Synchronization
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
    /// Set once the program has exited and been reaped.
    private let exited = ExitFlag()

    /// Starts `path` with `arguments`, the test's environment plus `environment`.
    public init(_ path: String, _ arguments: [String], environment: [String: String]) throws {
        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let (pid, reader) = try Subprocess.spawn(path, arguments, environment: merged, includeStandardError: true)
        self.pid = pid
        let (lines, continuation) = AsyncStream.makeStream(of: String.self)
        self.lines = lines
        // SILVASONIC_TEST_TEE=FILE: every line of every process a test starts is also appended
        // there (to read a failing test's controller afterwards).
        let tee = ProcessInfo.processInfo.environment["SILVASONIC_TEST_TEE"].flatMap { path -> FileHandle? in
            if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
            return FileHandle(forWritingAtPath: path)
        }
        DispatchQueue.global().async {
            defer { try? tee?.close() }
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(reader, &buffer, buffer.count)
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { break }
                pending += buffer[0..<count]
                while let newline = pending.firstIndex(of: 10) {
                    if let tee {
                        tee.seekToEndOfFile()
                        tee.write(Data(pending[...newline]))
                    }
                    continuation.yield(String(decoding: pending[..<newline], as: UTF8.self))
                    pending.removeSubrange(...newline)
                }
            }
            if !pending.isEmpty { continuation.yield(String(decoding: pending, as: UTF8.self)) }
            close(reader)
            continuation.finish()
        }
        let child = pid
        let exited = self.exited
        exit = Task.detached {
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    var status: Int32 = 0
                    while waitpid(child, &status, 0) < 0, errno == EINTR {}
                    exited.value.withLock { $0 = true }
                    continuation.resume(returning: (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f))
                }
            }
        }
    }

    /// A program still running when its test lets go of it (a test cut short by its time limit)
    /// is killed: left running, a controller would keep re-creating its recorder under the
    /// fixture's fixed name, and every later test on the same Podman would wait on that name.
    deinit {
        if !exited.value.withLock({ $0 }) { kill(pid, SIGKILL) }
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

/// Whether a program has exited, shared with the task that reaps it.
private final class ExitFlag: Sendable {
    let value = Mutex(false)
}
