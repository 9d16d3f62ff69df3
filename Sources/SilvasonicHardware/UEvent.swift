/// A kernel uevent, as sent on the `NETLINK_KOBJECT_UEVENT` socket:
/// `add@/devices/...\0ACTION=add\0DEVPATH=/devices/...\0SUBSYSTEM=sound\0...`.
public struct UEvent: Sendable, Equatable {
    /// `add`, `remove`, `change`, `bind`, ...
    public var action: String
    /// The device's path below `/sys`.
    public var devpath: String
    /// Every `KEY=value` field (at most 64, each value at most 4,096 bytes, display-safe).
    public var fields: [String: String]

    /// Creates an event; the parser makes these, tests inject them.
    public init(action: String, devpath: String, fields: [String: String]) {
        self.action = action
        self.devpath = devpath
        self.fields = fields
    }

    /// The `SUBSYSTEM` field.
    package var subsystem: String? { fields["SUBSYSTEM"] }

    /// Whether this event can change the set of USB microphones (`sound` or `usb` subsystem).
    package var concernsAudio: Bool { subsystem == "sound" || subsystem == "usb" }
}

/// Parses kernel uevent messages. Total: any bytes give an event or `nil`, never a crash.
public enum UEventParser {
    /// The kernel's format only; udev's re-broadcasts (`libudev` magic) and garbage give `nil`.
    public static func parse(_ bytes: some Collection<UInt8>) -> UEvent? {
        let parts = bytes.prefix(8192).split(separator: 0, omittingEmptySubsequences: true)
        guard let header = parts.first, let at = header.firstIndex(of: UInt8(ascii: "@")),
              header.starts(with: Array("libudev".utf8)) == false else { return nil }
        guard let action = SysfsText.identifier(header[header.startIndex..<at]),
              let devpath = SysfsText.displayText(header[header.index(after: at)...]), devpath.hasPrefix("/") else {
            return nil
        }
        var fields: [String: String] = [:]
        for part in parts.dropFirst().prefix(64) {
            guard let equals = part.firstIndex(of: UInt8(ascii: "=")),
                  let key = SysfsText.identifier(part[part.startIndex..<equals]) else { continue }
            fields[key] = SysfsText.displayText(part[part.index(after: equals)...]) ?? ""
        }
        return UEvent(action: action, devpath: devpath, fields: fields)
    }
}
