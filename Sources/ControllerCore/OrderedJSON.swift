/// A JSON value whose objects keep their members in order, rendered byte for byte as the
/// reference controller's Python renders it.
///
/// Two renderings matter for the contract: ``Style/pythonSortedASCII`` is
/// `json.dumps(value, sort_keys=True)` (separators `", "` and `": "`, non-ASCII as `\uXXXX`),
/// which the config hash is taken over; ``Style/compact`` is pydantic's `model_dump_json()`
/// (separators `","` and `":"`, members in schema order, UTF-8 as is), which is how a profile's
/// configuration reaches the recorder. Floats print like Python's `repr` (`1.0`, `12.0`, `0.1`).
package indirect enum OrderedJSON: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case array([OrderedJSON])
    case object([Member])

    /// One member of an object.
    package struct Member: Sendable, Hashable {
        public var key: String
        public var value: OrderedJSON

        public init(_ key: String, _ value: OrderedJSON) {
            self.key = key
            self.value = value
        }
    }

    /// How to render.
    package enum Style: Sendable {
        /// Python's `json.dumps(value, sort_keys=True)`.
        case pythonSortedASCII
        /// pydantic's `model_dump_json()`: compact, in member order, UTF-8.
        case compact
        /// Python's `json.dumps(value)`: members in order, `", "` and `": "`, non-ASCII escaped.
        case pythonASCII
    }

    /// The text in `style`.
    package func rendered(_ style: Style) -> String {
        String(decoding: renderedBytes(style), as: UTF8.self)
    }

    /// The rendering as UTF-8 bytes (what the hash is taken of), built without `String` appends.
    func renderedBytes(_ style: Style) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(1024)
        render(into: &output, style)
        return output
    }

    private func render(into output: inout [UInt8], _ style: Style) {
        let separator: StaticString = style == .compact ? "," : ", "
        switch self {
        case .null: Self.append("null", to: &output)
        case .bool(let value): Self.append(value ? "true" : "false", to: &output)
        case .int(let value): output.append(contentsOf: String(value).utf8)
        case .float(let value): output.append(contentsOf: Self.pythonFloat(value).utf8)
        case .string(let value): Self.quote(value, ascii: style != .compact, into: &output)
        case .array(let items):
            output.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { Self.append(separator, to: &output) }
                item.render(into: &output, style)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            // Python sorts keys by code point: the scalars' order, compared without copying.
            let ordered = style == .pythonSortedASCII
                ? members.sorted { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) }
                : members
            for (index, member) in ordered.enumerated() {
                if index > 0 { Self.append(separator, to: &output) }
                Self.quote(member.key, ascii: style != .compact, into: &output)
                Self.append(style == .compact ? ":" : ": ", to: &output)
                member.value.render(into: &output, style)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static func append(_ text: StaticString, to output: inout [UInt8]) {
        text.withUTF8Buffer { output.append(contentsOf: $0) }
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

    private static func quote(_ text: String, ascii: Bool, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        // The common case, printable ASCII with nothing to escape, is copied as it is.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 <= 0x7E && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            output.append(contentsOf: text.utf8)
            output.append(UInt8(ascii: "\""))
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": append("\\\"", to: &output)
            case "\\": append("\\\\", to: &output)
            case "\n": append("\\n", to: &output)
            case "\r": append("\\r", to: &output)
            case "\t": append("\\t", to: &output)
            case "\u{08}": append("\\b", to: &output)
            case "\u{0C}": append("\\f", to: &output)
            default:
                if scalar.value < 0x20 {
                    output.append(contentsOf: ("\\u" + hex4(scalar.value)).utf8)
                } else if ascii, scalar.value > 0x7E {
                    if scalar.value > 0xFFFF {
                        let offset = scalar.value - 0x10000
                        output.append(contentsOf: ("\\u" + hex4(0xD800 + (offset >> 10)) + "\\u" + hex4(0xDC00 + (offset & 0x3FF))).utf8)
                    } else {
                        output.append(contentsOf: ("\\u" + hex4(scalar.value)).utf8)
                    }
                } else {
                    output.append(contentsOf: String(scalar).utf8)
                }
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
