/// The reference controller's naming rules for recorder containers and workspaces
/// (contract §3, "Names"). Pure functions; the same inputs always give the same name.
public enum ContainerNames {
    /// Lowercases `text`, turns each run of characters outside `[a-z0-9]` into one `-`, and
    /// trims `-` from both ends: `"ultramic_384_evo"` → `"ultramic-384-evo"`.
    public static func slug(_ text: String) -> String {
        var result: [UInt8] = []
        result.reserveCapacity(text.utf8.count)
        var pendingDash = false
        for byte in text.lowercased().utf8 {
            if isLowerAlphanumeric(byte) {
                if pendingDash, !result.isEmpty { result.append(UInt8(ascii: "-")) }
                pendingDash = false
                result.append(byte)
            } else {
                pendingDash = true
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// The device part of a workspace name.
    ///
    /// The last 4 characters of the USB serial, lowercased; else `p` + the bus path with `-` and
    /// `.` turned into `d`, cut to 4 characters; else `c` + the card index in 3 digits; then every
    /// character outside `[a-z0-9]` is removed.
    /// - Parameters:
    ///   - serial: the USB serial; empty counts as missing.
    ///   - busPath: the USB bus path such as `1-3.2`; empty counts as missing.
    ///   - cardIndex: the ALSA card index; missing counts as 0.
    package static func suffix(serial: String?, busPath: String?, cardIndex: Int?) -> String {
        let raw: String
        if let serial, !serial.isEmpty {
            raw = String(String.UnicodeScalarView(serial.unicodeScalars.suffix(4))).lowercased()
        } else if let busPath, !busPath.isEmpty {
            let mapped = busPath.unicodeScalars.map { $0 == "-" || $0 == "." ? "d" : $0 }
            raw = String(String.UnicodeScalarView(([Unicode.Scalar("p")] + mapped).prefix(4)))
        } else {
            raw = "c" + zeroPadded(cardIndex ?? 0, width: 3)
        }
        return String(decoding: raw.utf8.filter(isLowerAlphanumeric), as: UTF8.self)
    }

    /// `{slug(profileSlug)}-{suffix}`: the reference's workspace name, which also names the
    /// recorder container (`silvasonic-recorder-{workspaceName}`) and its workspace directory.
    public static func workspaceName(profileSlug: String, serial: String?, busPath: String?, cardIndex: Int?) -> String {
        slug(profileSlug) + "-" + suffix(serial: serial, busPath: busPath, cardIndex: cardIndex)
    }

    /// `silvasonic-recorder-{workspaceName}`.
    package static func recorderContainerName(workspaceName: String) -> String {
        "silvasonic-recorder-" + workspaceName
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// Python's `f"{n:03d}"`: at least `width` digits, a minus sign before the padding.
    private static func zeroPadded(_ number: Int, width: Int) -> String {
        let digits = String(number.magnitude)
        let padding = String(repeating: "0", count: max(0, width - digits.count - (number < 0 ? 1 : 0)))
        return (number < 0 ? "-" : "") + padding + digits
    }
}
