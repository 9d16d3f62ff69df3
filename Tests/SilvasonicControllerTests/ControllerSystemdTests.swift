import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SilvasonicController
import Testing

/// A datagram socket bound to a path, as systemd's notification socket is.
final class NotificationSocket: Sendable {
    let path: String
    private let descriptor: Int32

    init() throws {
        path = "/tmp/silvasonic-notify-\(UInt32.random(in: 0...UInt32.max)).sock"
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard descriptor >= 0, bound == 0 else { throw POSIXError(.EADDRINUSE) }
        // A message that never comes ends the wait after a minute (the suite's limit is longer).
        var limit = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    /// The next message; `nil` after a minute without one.
    func receive() async -> String? {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var buffer = [UInt8](repeating: 0, count: 4096)
                let count = recv(self.descriptor, &buffer, buffer.count, 0)
                continuation.resume(returning: count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : nil)
            }
        }
    }

    deinit {
        close(descriptor)
        unlink(path)
    }
}

extension ControllerProcessTests {
    @Test("Started by systemd (Type=notify): READY=1 once the tree runs, WATCHDOG=1 while live, STOPPING=1 on SIGTERM")
    func systemdNotifications() async throws {
        let stage = try await Stage.make()
        let socket = try NotificationSocket()
        let controller = try stage.start(["SILVASONIC_CONTROLLER_PORT": "0", "NOTIFY_SOCKET": socket.path,
                                          "WATCHDOG_USEC": "400000"])
        let ready = await socket.receive()
        #expect(ready?.hasPrefix("READY=1\n") == true, "\(ready ?? "nothing")")
        #expect(await socket.receive() == "WATCHDOG=1")
        #expect(await socket.receive() == "WATCHDOG=1", "fed again at half the timeout")
        controller.send(SIGTERM)
        var last: String?
        while last != "STOPPING=1", let message = await socket.receive() { last = message }
        #expect(last == "STOPPING=1")
        #expect(await controller.waitForExit() == 0)
        try await stage.tearDown()
    }
}

@Suite("systemd's notification protocol, without libsystemd")
struct SystemdNotifierTests {
    @Test("Off without NOTIFY_SOCKET; the watchdog only for this process; a path socket receives each message")
    func protocolBasics() async throws {
        #expect(SystemdNotifier(environment: [:]) == nil)
        let socket = try NotificationSocket()
        let other = SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "2000000", "WATCHDOG_PID": "1"])
        #expect(other?.watchdogTimeout == nil, "another process's watchdog")
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "2000000",
                                                                  "WATCHDOG_PID": "\(getpid())"]))
        #expect(notifier.watchdogTimeout == .seconds(2))
        #expect(notifier.send("STATUS=testing"))
        #expect(await socket.receive() == "STATUS=testing")
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": "/nonexistent/notify"])?.send("READY=1") == false)
    }
}
