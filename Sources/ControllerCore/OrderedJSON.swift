/// A JSON value whose objects keep their members in order, rendered byte for byte as the
/// reference controller's Python renders it.
///
/// Two renderings matter for the contract: ``Style/pythonSortedASCII`` is
/// `json.dumps(value, sort_keys=True)` (separators `", "` and `": "`, non-ASCII as `\uXXXX`),
/// which the config hash is taken over; ``Style/compact`` is pydantic's `model_dump_json()`
/// (separators `","` and `":"`, members in schema order, UTF-8 as is), which is how a profile's
/// configuration reaches the recorder. Floats print like Python's `repr` (`1.0`, `12.0`, `0.1`).
public indirect enum OrderedJSON: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case array([OrderedJSON])
    case object([Member])

    /// One member of an object.
    public struct Member: Sendable, Hashable {
        public var key: String
        public var value: OrderedJSON

        public init(_ key: String, _ value: OrderedJSON) {
            self.key = key
            self.value = value
        }
    }

    /// How to render.
    public enum Style: Sendable {
        /// Python's `json.dumps(value, sort_keys=True)`.
        case pythonSortedASCII
        /// pydantic's `model_dump_json()`: compact, in member order, UTF-8.
        case compact
        /// Python's `json.dumps(value)`: members in order, `", "` and `": "`, non-ASCII escaped.
        case pythonASCII
    }

    /// The text in `style`.
    public func rendered(_ style: Style) -> String {
        var output = ""
        render(into: &output, style)
        return output
    }

    private func render(into output: inout String, _ style: Style) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .int(let value): output += String(value)
        case .float(let value): output += Self.pythonFloat(value)
        case .string(let value): Self.quote(value, ascii: style != .compact, into: &output)
        case .array(let items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += style == .compact ? "," : ", " }
                item.render(into: &output, style)
            }
            output += "]"
        case .object(let members):
            output += "{"
            let ordered = style == .pythonSortedASCII
                ? members.sorted { Array($0.key.unicodeScalars.map(\.value)).lexicographicallyPrecedes($1.key.unicodeScalars.map(\.value)) }
                : members
            for (index, member) in ordered.enumerated() {
                if index > 0 { output += style == .compact ? "," : ", " }
                Self.quote(member.key, ascii: style != .compact, into: &output)
                output += style == .compact ? ":" : ": "
                member.value.render(into: &output, style)
            }
            output += "}"
        }
    }

    /// Python's `repr(float)`: the shortest text that reads back as the same number, always
    /// with a `.0` or an exponent (`1.0`, `1e-05`, `1e+16`), `NaN`/`Infinity` as `json` writes them.
    static func pythonFloat(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "Infinity" : "-Infinity" }
        // Swift's description is also the shortest round-trip text and switches to an exponent
        // at the same points as Python (below 1e-4 and from 1e16).
        return value.description
    }

    private static func quote(_ text: String, ascii: Bool, into output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                if scalar.value < 0x20 {
                    output += "\\u" + hex4(scalar.value)
                } else if ascii, scalar.value > 0x7E {
                    if scalar.value > 0xFFFF {
                        let offset = scalar.value - 0x10000
                        output += "\\u" + hex4(0xD800 + (offset >> 10)) + "\\u" + hex4(0xDC00 + (offset & 0x3FF))
                    } else {
                        output += "\\u" + hex4(scalar.value)
                    }
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
