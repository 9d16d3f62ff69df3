/// The recorder-facing part of a microphone profile: its `audio`, `processing` and `stream`
/// sections (contract §5), with every default filled, as stored in `microphone_profiles.config`
/// and handed to the recorder in `SILVASONIC_RECORDER_CONFIG_JSON`.
public struct RecorderProfileConfig: Sendable, Hashable {
    /// How a profile recognises its microphone.
    public struct Match: Sendable, Hashable {
        public var usbVendorID: String?
        public var usbProductID: String?
        public var alsaNameContains: String?

        public init(usbVendorID: String? = nil, usbProductID: String? = nil, alsaNameContains: String? = nil) {
            self.usbVendorID = usbVendorID
            self.usbProductID = usbProductID
            self.alsaNameContains = alsaNameContains
        }
    }

    /// The sample formats a recorder accepts.
    package enum SampleFormat: String, Sendable, Hashable, CaseIterable {
        case s16le = "S16LE", s24le = "S24LE", s32le = "S32LE"
    }

    public var sampleRate: Int
    package var channels: Int = 1
    package var format: SampleFormat = .s16le
    /// The reference's legacy field; always `nil` here, kept because it is part of the JSON.
    var matchPattern: String?
    public var match: Match?
    public var gainDB: Double = 0.0
    public var chunkSize: Int = 4096
    public var highpassFilterHz: Double?
    package var rawEnabled = true
    package var processedEnabled = true
    package var liveStreamEnabled = false
    package var segmentDurationSeconds = 10

    public init(sampleRate: Int) {
        self.sampleRate = sampleRate
    }

    /// The sections as the reference's pydantic models order them.
    package var json: OrderedJSON {
        let match: OrderedJSON = self.match.map { match in
            .object([
                .init("usb_vendor_id", match.usbVendorID.map(OrderedJSON.string) ?? .null),
                .init("usb_product_id", match.usbProductID.map(OrderedJSON.string) ?? .null),
                .init("alsa_name_contains", match.alsaNameContains.map(OrderedJSON.string) ?? .null),
            ])
        } ?? .null
        return .object([
            .init("audio", .object([
                .init("sample_rate", .int(sampleRate)),
                .init("channels", .int(channels)),
                .init("format", .string(format.rawValue)),
                .init("match_pattern", matchPattern.map(OrderedJSON.string) ?? .null),
                .init("match", match),
            ])),
            .init("processing", .object([
                .init("gain_db", .float(gainDB)),
                .init("chunk_size", .int(chunkSize)),
                .init("highpass_filter_hz", highpassFilterHz.map(OrderedJSON.float) ?? .null),
            ])),
            .init("stream", .object([
                .init("raw_enabled", .bool(rawEnabled)),
                .init("processed_enabled", .bool(processedEnabled)),
                .init("live_stream_enabled", .bool(liveStreamEnabled)),
                .init("segment_duration_s", .int(segmentDurationSeconds)),
            ])),
        ])
    }

    /// `SILVASONIC_RECORDER_CONFIG_JSON`: the sections, compact, in schema order.
    public var recorderEnvironmentValue: String {
        json.rendered(.compact)
    }
}
