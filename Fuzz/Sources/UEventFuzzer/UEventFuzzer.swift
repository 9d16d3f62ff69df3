import SilvasonicHardware

/// One fuzz input: any bytes as a netlink uevent message. The parser must not crash,
/// and an event it returns must have an absolute devpath, at most 64 fields and safe keys.
func fuzzUEvent(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let event = UEventParser.parse(UnsafeBufferPointer(start: data, count: data == nil ? 0 : size)) else { return 0 }
    precondition(event.devpath.hasPrefix("/"), "relative devpath")
    precondition(event.fields.count <= 64, "too many fields")
    precondition(!event.action.isEmpty, "empty action")
    for (key, value) in event.fields {
        precondition(!key.isEmpty && key.utf8.allSatisfy { $0 < 0x80 && $0 != UInt8(ascii: "=") }, "bad key")
        precondition(!value.unicodeScalars.contains { $0.properties.generalCategory == .control }, "control char")
    }
    return 0
}
