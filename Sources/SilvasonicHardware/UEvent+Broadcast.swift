import CNetlink
#if canImport(Glibc)
import Glibc
#endif

extension UEvent {
    /// The event in the kernel's wire format: `action@devpath`, then each `KEY=value`, each
    /// ended by a NUL (fields in key order).
    public var message: [UInt8] {
        var bytes = Array("\(action)@\(devpath)".utf8) + [0]
        for key in fields.keys.sorted() { bytes += Array("\(key)=\(fields[key] ?? "")".utf8) + [0] }
        return bytes
    }

    /// Sends the event to the kernel's uevent group as the kernel would (root only): a fixture
    /// tree's test speaks for the kernel to a listener that takes any sender
    /// (``UEventSocket/init(acceptingUserspace:)``). A listener on real hardware refuses it.
    package func broadcast() throws(UEventSocket.OpenError) {
        let descriptor = socket(AF_NETLINK, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NETLINK_KOBJECT_UEVENT)
        guard descriptor >= 0 else { throw UEventSocket.OpenError(operation: "socket", errno: errno) }
        defer { close(descriptor) }
        var group = sockaddr_nl()
        group.nl_family = sa_family_t(AF_NETLINK)
        group.nl_groups = 1
        let bytes = message
        let sent = withUnsafePointer(to: &group) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bytes.withUnsafeBytes { sendto(descriptor, $0.baseAddress, $0.count, 0, address, socklen_t(MemoryLayout<sockaddr_nl>.size)) }
            }
        }
        guard sent == bytes.count else { throw UEventSocket.OpenError(operation: "sendto", errno: errno) }
    }
}
