/// A USB audio device as one scan saw it: the ALSA card and the USB device behind it.
///
/// Every string here went through ``SysfsText``: ids contain only `[A-Za-z0-9._-]`.
public struct AudioDevice: Sendable, Equatable, Codable {
    /// The stable device id (contract §4): `{vid}-{pid}-{serial}`, else `{vid}-{pid}-port{bus}`,
    /// else `alsa-card{N}`. It names the `devices` row, the container label and the Redis key.
    public var stableID: String
    /// The ALSA card index (`hw:N`); it can change when the device is plugged again.
    public var cardIndex: Int
    /// ALSA's card id (`UltraMic384K`).
    public var cardID: String
    /// The card's name (`UltraMic 384K`), for people.
    public var name: String
    /// The USB vendor id, four lowercase hex digits.
    public var vendorID: String?
    /// The USB product id, four lowercase hex digits.
    public var productID: String?
    /// The USB serial, sanitised; `nil` when the device has none.
    public var serial: String?
    /// The USB bus path (`1-3.2`): the name of the USB device's sysfs directory.
    public var busPath: String?

    /// `hw:N,0`, what the reference passes to the recorder.
    public var alsaDevice: String { "hw:\(cardIndex),0" }
    /// `hw:CARD=<id>,DEV=0`, which stays right when card indices move after a replug.
    package var alsaStableDevice: String { "hw:CARD=\(cardID),DEV=0" }

    /// Creates a device and derives its stable id.
    public init(cardIndex: Int, cardID: String, name: String, vendorID: String?, productID: String?,
                serial: String?, busPath: String?) {
        self.cardIndex = cardIndex
        self.cardID = cardID
        self.name = name
        self.vendorID = vendorID
        self.productID = productID
        self.serial = serial
        self.busPath = busPath
        self.stableID = Self.stableID(cardIndex: cardIndex, vendorID: vendorID, productID: productID,
                                      serial: serial, busPath: busPath)
    }

    /// The contract's stable-id rule.
    public static func stableID(cardIndex: Int, vendorID: String?, productID: String?, serial: String?,
                                busPath: String?) -> String {
        if let vendorID, let productID {
            if let serial { return "\(vendorID)-\(productID)-\(serial)" }
            if let busPath { return "\(vendorID)-\(productID)-port\(busPath)" }
        }
        return "alsa-card\(cardIndex)"
    }
}

/// A card the scan could not describe fully, and why (a broken link, a missing file...).
public struct ScanProblem: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The card concerned.
    public var cardIndex: Int
    /// What could not be read, for a person.
    public var reason: String

    /// Creates a problem report.
    public init(cardIndex: Int, reason: String) {
        self.cardIndex = cardIndex
        self.reason = reason
    }

    /// `card N: reason`.
    public var description: String { "card \(cardIndex): \(reason)" }
}

/// What one scan found.
public struct ScanResult: Sendable, Equatable {
    /// USB audio devices, by card index.
    public var devices: [AudioDevice]
    /// Cards that were skipped or only partly described, with the reason.
    package var problems: [ScanProblem]

    /// Creates a result.
    public init(devices: [AudioDevice], problems: [ScanProblem]) {
        self.devices = devices
        self.problems = problems
    }
}
