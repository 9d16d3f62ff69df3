import CNetlink
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The kernel's uevent broadcast (`NETLINK_KOBJECT_UEVENT`, group 1), read on a thread of its
/// own so the blocking `poll`/`recv` never holds a cooperative-pool thread.
///
/// Only the kernel's own messages (sender port id 0) are taken, as udev does: any root process
/// can send to the group. A socket opened `acceptingUserspace` takes every sender's, for a
/// fixture tree whose uevents a test sends.
///
/// Opening fails in some containers (no netlink); callers then rely on the periodic scan.
package final class UEventSocket: Sendable {
    /// Why the socket could not be opened.
    package struct OpenError: Error, CustomStringConvertible {
        /// The system call that failed (`socket`, `bind`, or `sendto` for a broadcast).
        package var operation: String
        /// Its `errno`.
        package var errno: Int32
        /// What failed and why, for the log.
        public var description: String {
            "netlink uevent socket: \(operation) failed: \(String(cString: strerror(errno))) (errno \(errno))"
        }
    }

    private let descriptor: Int32
    private let stopped = Atomic(false)
    /// Whether messages of other senders than the kernel are taken.
    package let acceptingUserspace: Bool
    /// Messages refused because the kernel did not send them.
    package var refused: Int { refusedCount.load(ordering: .relaxed) }
    private let refusedCount = Atomic(0)

    /// Opens the socket and subscribes to the kernel's uevent group.
    /// - Parameter acceptingUserspace: take messages of any sender, not only the kernel's (for
    ///   fixture trees; never on a station).
    public init(acceptingUserspace: Bool = false) throws(OpenError) {
        self.acceptingUserspace = acceptingUserspace
        let fd = socket(AF_NETLINK, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NETLINK_KOBJECT_UEVENT)
        guard fd >= 0 else { throw OpenError(operation: "socket", errno: errno) }
        var address = sockaddr_nl()
        address.nl_family = sa_family_t(AF_NETLINK)
        address.nl_pid = 0
        address.nl_groups = 1
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_nl>.size))
            }
        }
        guard bound == 0 else {
            let error = errno
            close(fd)
            throw OpenError(operation: "bind", errno: error)
        }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// The parsed uevents, until the stream's consumer goes away. Reads happen on a dedicated
    /// thread that wakes at least every 250 ms to notice that.
    public func events() -> AsyncStream<UEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: UEvent.self, bufferingPolicy: .bufferingNewest(256))
        continuation.onTermination = { [self] _ in stopped.store(true, ordering: .relaxed) }
        let thread = ReaderThread(socket: self, continuation: continuation)
        thread.start()
        return stream
    }

    /// Reads until stopped; runs on the reader thread only.
    fileprivate func readLoop(_ continuation: AsyncStream<UEvent>.Continuation) {
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while !stopped.load(ordering: .relaxed) {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 250)
            if ready < 0, errno != EINTR { break }
            guard ready > 0 else { continue }
            var sender = sockaddr_nl()
            var senderLength = socklen_t(MemoryLayout<sockaddr_nl>.size)
            let count = buffer.withUnsafeMutableBytes { bytes in
                withUnsafeMutablePointer(to: &sender) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT), $0, &senderLength)
                    }
                }
            }
            guard count > 0 else { continue }
            // The kernel sends from port id 0; anything else is a process speaking for it.
            guard acceptingUserspace || sender.nl_pid == 0 else {
                refusedCount.add(1, ordering: .relaxed)
                continue
            }
            if let event = UEventParser.parse(buffer.prefix(count)) { continuation.yield(event) }
        }
        continuation.finish()
    }
}

/// A POSIX thread that runs one socket's read loop.
private final class ReaderThread: Sendable {
    let socket: UEventSocket
    let continuation: AsyncStream<UEvent>.Continuation

    init(socket: UEventSocket, continuation: AsyncStream<UEvent>.Continuation) {
        self.socket = socket
        self.continuation = continuation
    }

    func start() {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let created = pthread_create(&thread, nil, { context in
            let reader = Unmanaged<ReaderThread>.fromOpaque(context!).takeRetainedValue()
            reader.socket.readLoop(reader.continuation)
            return nil
        }, context)
        if created == 0 {
            pthread_detach(thread)
        } else {
            Unmanaged<ReaderThread>.fromOpaque(context).release()
            continuation.finish()
        }
    }
}
