import Foundation

/// Renders a scan for people (a table) or programs (JSON).
package enum ScanReport {
    struct Row: Encodable {
        var id: String
        var card: Int
        var name: String
        var usb: String?
        var serial: String?
        var busPath: String?
        var alsaDevice: String
        var alsaStableDevice: String
    }

    struct Document: Encodable {
        var devices: [Row]
        var problems: [ScanProblem]
    }

    static func rows(_ result: ScanResult) -> [Row] {
        result.devices.map { device in
            Row(id: device.stableID, card: device.cardIndex, name: device.name,
                usb: device.vendorID.flatMap { vendor in device.productID.map { "\(vendor):\($0)" } },
                serial: device.serial, busPath: device.busPath,
                alsaDevice: device.alsaDevice, alsaStableDevice: device.alsaStableDevice)
        }
    }

    /// The scan as pretty-printed JSON: `devices` and `problems`.
    package static func json(_ result: ScanResult) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(Document(devices: rows(result), problems: result.problems)), as: UTF8.self)
    }

    /// The scan as an aligned text table, problems after it as `warning:` lines.
    package static func table(_ result: ScanResult) -> String {
        guard !result.devices.isEmpty || !result.problems.isEmpty else { return "No USB audio devices found.\n" }
        let header = ["ID", "CARD", "NAME", "VID:PID", "SERIAL", "BUS", "ALSA"]
        let body = rows(result).map { row in
            [row.id, String(row.card), row.name, row.usb ?? "-", row.serial ?? "-", row.busPath ?? "-",
             "\(row.alsaDevice) (\(row.alsaStableDevice))"]
        }
        let widths = header.indices.map { column in ([header] + body).map { $0[column].count }.max() ?? 0 }
        var text = ""
        for line in [header] + body {
            text += zip(line, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
        }
        for problem in result.problems { text += "warning: \(problem)\n" }
        return text
    }
}
