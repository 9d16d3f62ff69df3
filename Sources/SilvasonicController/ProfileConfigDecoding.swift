public import ControllerCore
public import SilvasonicIO

/// Reads a profile's `config` (its audio/processing/stream sections, as JSON) into the typed
/// ``RecorderProfileConfig``, with the contract's defaults and rules; a broken one names the
/// field and the rule.
public enum ProfileConfigDecoding {
    /// A rule a profile broke.
    public struct Failure: Error, Sendable, CustomStringConvertible, Equatable {
        public var field: String
        package var rule: String
        public var description: String { "\(field): \(rule)" }
    }

    public static func decode(_ config: JSONValue) throws(Failure) -> RecorderProfileConfig {
        let audio = config["audio"]
        guard let rate = audio?["sample_rate"]?.intValue, rate > 0 else {
            throw Failure(field: "audio.sample_rate", rule: "required, an integer above 0")
        }
        var profile = RecorderProfileConfig(sampleRate: rate)
        if let value = audio?["channels"], value != .null {
            guard let channels = value.intValue, channels > 0 else { throw Failure(field: "audio.channels", rule: "an integer above 0") }
            profile.channels = channels
        }
        if let value = audio?["format"], value != .null {
            guard let text = value.stringValue, let format = RecorderProfileConfig.SampleFormat(rawValue: text) else {
                throw Failure(field: "audio.format", rule: "one of S16LE, S24LE, S32LE")
            }
            profile.format = format
        }
        if case .object = audio?["match"] {
            profile.match = .init(usbVendorID: try text(audio?["match"]?["usb_vendor_id"], "audio.match.usb_vendor_id"),
                                  usbProductID: try text(audio?["match"]?["usb_product_id"], "audio.match.usb_product_id"),
                                  alsaNameContains: try text(audio?["match"]?["alsa_name_contains"], "audio.match.alsa_name_contains"))
        }
        let processing = config["processing"]
        if let value = try number(processing?["gain_db"], "processing.gain_db") { profile.gainDB = value }
        if let value = processing?["chunk_size"], value != .null {
            guard let size = value.intValue, size > 0 else { throw Failure(field: "processing.chunk_size", rule: "an integer above 0") }
            profile.chunkSize = size
        }
        profile.highpassFilterHz = try number(processing?["highpass_filter_hz"], "processing.highpass_filter_hz")
        let stream = config["stream"]
        if let value = try flag(stream?["raw_enabled"], "stream.raw_enabled") { profile.rawEnabled = value }
        if let value = try flag(stream?["processed_enabled"], "stream.processed_enabled") { profile.processedEnabled = value }
        if let value = try flag(stream?["live_stream_enabled"], "stream.live_stream_enabled") { profile.liveStreamEnabled = value }
        if let value = stream?["segment_duration_s"], value != .null {
            guard let seconds = value.intValue, seconds > 0 else {
                throw Failure(field: "stream.segment_duration_s", rule: "an integer above 0")
            }
            profile.segmentDurationSeconds = seconds
        }
        return profile
    }

    private static func text(_ value: JSONValue?, _ field: String) throws(Failure) -> String? {
        guard let value, value != .null else { return nil }
        guard let text = value.stringValue else { throw Failure(field: field, rule: "text") }
        return text
    }

    private static func number(_ value: JSONValue?, _ field: String) throws(Failure) -> Double? {
        switch value {
        case nil, .null?: return nil
        case .int(let number)?: return Double(number)
        case .double(let number)?: return number
        default: throw Failure(field: field, rule: "a number")
        }
    }

    private static func flag(_ value: JSONValue?, _ field: String) throws(Failure) -> Bool? {
        switch value {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        default: throw Failure(field: field, rule: "true or false")
        }
    }
}
