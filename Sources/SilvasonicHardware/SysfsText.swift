/// The one place where bytes read from sysfs and procfs become strings the rest of the
/// controller may use. Every value there is untrusted: it may be empty, padded, huge, not
/// UTF-8, or carry newlines, path separators and shell or SQL metacharacters.
public enum SysfsText {
    /// The longest value kept from any file; longer ones are cut.
    public static let maximumLength = 128

    /// Text for display (an ALSA card name): valid UTF-8 (bad bytes replaced), control
    /// characters turned into spaces, runs of spaces folded, trimmed, at most 128 characters.
    /// `nil` when nothing is left.
    package static func displayText(_ bytes: some Collection<UInt8>) -> String? {
        var result = ""
        var pendingSpace = false
        for scalar in String(decoding: bytes.prefix(maximumLength * 4), as: UTF8.self).unicodeScalars {
            if scalar.properties.generalCategory == .control || scalar.properties.isWhitespace {
                pendingSpace = !result.isEmpty
                continue
            }
            let needed = pendingSpace ? 2 : 1
            if result.unicodeScalars.count + needed > maximumLength { break }
            if pendingSpace { result.unicodeScalars.append(" ") }
            pendingSpace = false
            result.unicodeScalars.append(scalar)
        }
        return result.isEmpty ? nil : result
    }

    /// A value that becomes part of an id: a container name, a label value, a Redis key.
    ///
    /// Surrounding white space is trimmed; then only `[A-Za-z0-9._-]` is kept (everything else,
    /// including `/`, `;`, quotes, `$`, spaces inside and non-ASCII, is dropped); at most 64
    /// characters. `nil` when nothing is left, which callers treat as a missing value.
    package static func identifier(_ bytes: some Collection<UInt8>) -> String? {
        var kept: [UInt8] = []
        for byte in trimmed(bytes) where isIdentifierByte(byte) {
            kept.append(byte)
            if kept.count == 64 { break }
        }
        return kept.isEmpty ? nil : String(decoding: kept, as: UTF8.self)
    }

    /// A USB vendor or product id: exactly four hexadecimal digits, lowercased; else `nil`.
    package static func usbID(_ bytes: some Collection<UInt8>) -> String? {
        let value = trimmed(bytes)
        guard value.count == 4, value.allSatisfy(isHexDigit) else { return nil }
        return String(decoding: value, as: UTF8.self).lowercased()
    }

    /// A USB bus path such as `1-3.2`: digits, `-` and `.`, starting with a digit, at most 32.
    public static func busPath(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 32, isDigit(bytes[0]),
              bytes.allSatisfy({ isDigit($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }) else { return nil }
        return text
    }

    static func trimmed(_ bytes: some Collection<UInt8>) -> ArraySlice<UInt8> {
        let array = ArraySlice(bytes.prefix(4096))
        let isSpace = { (byte: UInt8) in byte == 0x20 || (0x09...0x0D).contains(byte) || byte == 0 }
        guard let first = array.firstIndex(where: { !isSpace($0) }),
              let last = array.lastIndex(where: { !isSpace($0) }) else { return [] }
        return array[first...last]
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }
    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
    }
    private static func isIdentifierByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
    }
}
