public import SilvasonicIO
public import SilvasonicHardware

/// Simulated USB microphones: scans as the real ``DeviceScanner`` would report them, turned
/// into updates by the same ``HardwareInventory`` the real ``HardwareMonitor`` uses.
public struct SimulatedHardware: Sendable {
    private var inventory = HardwareInventory()
    private var present: [Int: AudioDevice] = [:]

    public init() {}

    /// The profile every simulated microphone matches (as `profiles/ultramic_384_evo.yml` does).
    public static let profiles: [String: JSONValue] = [
        "ultramic_384_evo": [
            "audio": ["sample_rate": 384_000, "match": ["usb_vendor_id": "0869", "usb_product_id": "0389",
                                                         "alsa_name_contains": "ultramic"]],
            "processing": ["gain_db": 12.0, "chunk_size": 8192, "highpass_filter_hz": 1000.0],
        ],
    ]

    /// Microphone number `index`: an UltraMic 384 EVO with its own serial and bus path.
    public static func microphone(_ index: Int) -> AudioDevice {
        let serial = "SIM" + String(index, radix: 16, uppercase: true).leftPadded(to: 6)
        return AudioDevice(cardIndex: index, cardID: "UltraMic\(index)", name: "UltraMic 384K", vendorID: "0869",
                           productID: "0389", serial: serial, busPath: "1-\(index % 120 + 1).\(index / 120 + 1)")
    }

    /// The stable id of microphone `index`.
    public static func stableID(_ index: Int) -> String { microphone(index).stableID }

    /// Plugs microphones in; the update a scan would report.
    public mutating func plug<S: Sequence<Int>>(_ indices: S) -> HardwareUpdate {
        for index in indices { present[index] = Self.microphone(index) }
        return scan()
    }

    /// Pulls microphones out; the update a scan would report.
    package mutating func unplug<S: Sequence<Int>>(_ indices: S) -> HardwareUpdate {
        for index in indices { present[index] = nil }
        return scan()
    }

    private mutating func scan() -> HardwareUpdate {
        let devices = present.keys.sorted().compactMap { present[$0] }
        let (changes, problems) = inventory.apply(ScanResult(devices: devices, problems: []))
        return HardwareUpdate(trigger: .periodic, changes: changes, devices: devices, problems: problems)
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
