import Crypto

/// The seven hardware keys of `devices.config` (contract §1); on update only these are
/// replaced, every other key a user stored stays.
public struct HardwareSnapshot: Sendable, Hashable {
    public var alsaCardIndex: Int?
    public var alsaDevice: String?
    public var alsaName: String?
    public var usbVendorID: String?
    public var usbProductID: String?
    public var usbSerial: String?
    public var usbBusPath: String?

    public init(alsaCardIndex: Int?, alsaDevice: String?, alsaName: String?, usbVendorID: String?,
                usbProductID: String?, usbSerial: String?, usbBusPath: String?) {
        self.alsaCardIndex = alsaCardIndex
        self.alsaDevice = alsaDevice
        self.alsaName = alsaName
        self.usbVendorID = usbVendorID
        self.usbProductID = usbProductID
        self.usbSerial = usbSerial
        self.usbBusPath = usbBusPath
    }

    /// The keys in the database's names, for a JSONB merge.
    package var json: OrderedJSON {
        func text(_ value: String?) -> OrderedJSON { value.map(OrderedJSON.string) ?? .null }
        return .object([
            .init("alsa_card_index", alsaCardIndex.map(OrderedJSON.int) ?? .null),
            .init("alsa_device", text(alsaDevice)),
            .init("alsa_name", text(alsaName)),
            .init("usb_vendor_id", text(usbVendorID)),
            .init("usb_product_id", text(usbProductID)),
            .init("usb_serial", text(usbSerial)),
            .init("usb_bus_path", text(usbBusPath)),
        ])
    }
}

/// The columns of a `devices` row the controller writes.
public struct DeviceRow: Sendable, Hashable {
    public var name: String
    public var serialNumber: String
    public var model: String
    /// `online` or `offline`.
    public var status: String
    public var enrollmentStatus: String
    public var enabled: Bool
    public var profileSlug: String?
    public var workspaceName: String?
    public var hardware: HardwareSnapshot
    /// What the store could not read as the contract's types — a NULL where the contract has a
    /// value, a `config` that is not its shape — naming the column and the value; `nil` when the
    /// whole row was read. The other fields then hold placeholders that nothing acts on.
    package var readProblem: String?

    public init(name: String, serialNumber: String, model: String, status: String, enrollmentStatus: String,
                enabled: Bool, profileSlug: String?, workspaceName: String?, hardware: HardwareSnapshot,
                readProblem: String? = nil) {
        self.name = name
        self.serialNumber = serialNumber
        self.model = model
        self.status = status
        self.enrollmentStatus = enrollmentStatus
        self.enabled = enabled
        self.profileSlug = profileSlug
        self.workspaceName = workspaceName
        self.hardware = hardware
        self.readProblem = readProblem
    }

    /// What in the row the contract does not know, naming the column and the value (at most
    /// 64 characters of it); `nil` for a row the controller understands. A device whose row
    /// says something unknown is left exactly as it is (fail static), never stopped for it.
    public var problem: String? {
        func quoted(_ value: String) -> String {
            let shown = value.unicodeScalars.prefix(64).map { $0.value < 0x20 || $0.value == 0x7F ? "?" : String($0) }
            return "\"" + shown.joined() + "\""
        }
        if let readProblem { return readProblem }
        if status != "online" && status != "offline" {
            return "status \(quoted(status)) is not online or offline"
        }
        if !["pending", "enrolled", "ignored"].contains(enrollmentStatus) {
            return "enrollment_status \(quoted(enrollmentStatus)) is not pending, enrolled or ignored"
        }
        return nil
    }
}

/// What to write to `devices` for a sighting or a loss: decided here, written by the shell,
/// and nothing at all when nothing changed.
public enum DeviceRowPlan: Sendable, Hashable {
    /// A new device: insert the row (its enrollment decided by matching, on this first
    /// discovery only).
    case insert(DeviceRow)
    /// A known device whose hardware keys, serial, model or status changed.
    case update(DeviceRow)
    case unchanged

    /// A microphone was seen.
    /// - Parameters:
    ///   - stableID: the stable device id (`devices.name`).
    ///   - hardware: the scan's facts.
    ///   - existing: the row, when the device is known.
    ///   - firstMatch: the matching outcome, asked for only when the device is new: a user's
    ///     later unenroll, ignore or profile choice is never overridden.
    public static func seen(stableID: String, hardware: HardwareSnapshot, existing: DeviceRow?,
                            firstMatch: () -> MatchOutcome) -> DeviceRowPlan {
        // The USB serial; for the second of two devices with one serial, the serial with what
        // tells it apart (the id's `-port…` suffix), so that the UNIQUE column takes both.
        let serial: String
        if let usb = hardware.usbSerial, !usb.isEmpty {
            let prefix = "\(hardware.usbVendorID ?? "")-\(hardware.usbProductID ?? "")-"
            serial = stableID.hasPrefix(prefix + usb) ? String(stableID.dropFirst(prefix.count)) : usb
        } else {
            serial = stableID
        }
        let model = hardware.alsaName ?? "unknown"
        guard var row = existing else {
            let outcome = firstMatch()
            return .insert(DeviceRow(name: stableID, serialNumber: serial, model: model, status: "online",
                                     enrollmentStatus: outcome.enrollmentStatus, enabled: true,
                                     profileSlug: outcome.profileSlug, workspaceName: nil, hardware: hardware))
        }
        let before = row
        // A row stored with its serial qualified (another model's row held the plain one) keeps it.
        row.serialNumber = before.serialNumber == qualifiedSerial(serial, hardware: hardware) ? before.serialNumber : serial
        row.model = model
        row.status = "online"
        row.hardware = hardware
        return row == before ? .unchanged : .update(row)
    }

    /// The `serial_number` of a new device whose serial another device's row holds already (two
    /// models that ship one serial: their ids differ, the UNIQUE column does not): the serial
    /// with its vendor and product ids, `ABC034F-0d8c-0014`. The store writes it when the plain
    /// serial is taken; ``seen(stableID:hardware:existing:firstMatch:)`` keeps it afterwards.
    package static func qualifiedSerial(_ serial: String, hardware: HardwareSnapshot) -> String {
        "\(serial)-\(hardware.usbVendorID ?? "")-\(hardware.usbProductID ?? "")"
    }

    /// A microphone stayed away past the grace period.
    package static func gone(existing: DeviceRow) -> DeviceRowPlan {
        guard existing.status != "offline" else { return .unchanged }
        var row = existing
        row.status = "offline"
        return .update(row)
    }
}

/// Workspace names that never collide (contract §3's "Do better").
package enum WorkspaceNaming {
    /// The reference's `{slug}-{suffix}` when no other device uses it, else that name plus six
    /// hex digits of SHA-256 over the stable id: unique, and the same every time for the device.
    /// - Parameter takenByOthers: the workspace names other devices hold.
    public static func name(profileSlug: String, stableID: String, hardware: HardwareSnapshot,
                            takenByOthers: Set<String>) -> String {
        name(profileSlug: profileSlug, stableID: stableID, hardware: hardware, isTaken: takenByOthers.contains)
    }

    /// The same, asking `isTaken` whether another device holds a name (so a caller with a large
    /// set of names need not copy it).
    public static func name(profileSlug: String, stableID: String, hardware: HardwareSnapshot,
                            isTaken: (String) -> Bool) -> String {
        let reference = ContainerNames.workspaceName(profileSlug: profileSlug, serial: hardware.usbSerial,
                                                     busPath: hardware.usbBusPath, cardIndex: hardware.alsaCardIndex)
        guard isTaken(reference) else { return reference }
        let digest = SHA256.hash(data: Array(stableID.utf8))
        let tag = digest.prefix(3).map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
        return reference + "-" + tag
    }
}
