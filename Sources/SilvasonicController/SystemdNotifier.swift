import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// systemd's notification protocol (`sd_notify(3)`), without libsystemd: one datagram per
/// message to the socket `NOTIFY_SOCKET` names (a path, or `@name` in the abstract namespace).
/// `nil` when the process was not started by systemd with `Type=notify`.
///
/// The controller says `READY=1` once its tree runs and, while `WATCHDOG_USEC` is set, feeds the
/// watchdog with `WATCHDOG=1` only while its health says live: a controller whose tree stops
/// making progress is restarted by systemd (the unit's `WatchdogSec=`), its recorders left
/// running (`KillMode=process`) and adopted by the next start.
package struct SystemdNotifier: Sendable {
    /// Where the messages go.
    public let socketPath: String
    /// How often systemd wants `WATCHDOG=1` at the latest (`WATCHDOG_USEC`), when it watches
    /// this process (`WATCHDOG_PID`, when set, is this process's).
    package let watchdogTimeout: Duration?

    /// - Parameter environment: the process's (`NOTIFY_SOCKET`, `WATCHDOG_USEC`, `WATCHDOG_PID`).
    public init?(environment: [String: String]) {
        guard let path = environment["NOTIFY_SOCKET"], !path.isEmpty else { return nil }
        socketPath = path
        let forThisProcess = environment["WATCHDOG_PID"].map { Int32($0) == getpid() } ?? true
        if forThisProcess, let text = environment["WATCHDOG_USEC"], let microseconds = Int64(text), microseconds > 0 {
            watchdogTimeout = .microseconds(microseconds)
        } else {
            watchdogTimeout = nil
        }
    }

    /// Sends `message` (`READY=1`, `WATCHDOG=1`, `STATUS=...`, newline-separated assignments);
    /// `false` when the socket cannot be reached (systemd then acts on the missing message).
    @discardableResult
    package func send(_ message: String) -> Bool {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(socketPath.utf8)
        let abstract = path.first == UInt8(ascii: "@")
        if abstract { path[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path)
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count + (abstract ? 0 : 1))
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        let bytes = Array(message.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bytes.withUnsafeBytes { sendto(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), socketAddress, length) }
            }
        }
        return sent == bytes.count
    }
}
