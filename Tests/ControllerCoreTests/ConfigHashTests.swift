import ControllerCore
import Testing

@Suite("Recorder and worker specs, hashed byte for byte like the reference controller")
struct ConfigHashTests {
    /// The contract's `ultramic_384_evo` seed profile.
    static var ultramic: RecorderProfileConfig {
        var profile = RecorderProfileConfig(sampleRate: 384_000)
        profile.match = .init(usbVendorID: "0869", usbProductID: "0389", alsaNameContains: "ultramic")
        profile.gainDB = 12
        profile.chunkSize = 8192
        profile.highpassFilterHz = 1000
        profile.liveStreamEnabled = true
        return profile
    }

    /// The contract's `generic_usb` seed profile.
    static var generic: RecorderProfileConfig {
        var profile = RecorderProfileConfig(sampleRate: 48_000)
        profile.processedEnabled = false
        return profile
    }

    @Test("Vector 1: defaults, ultramic_384_evo, a device with a serial")
    func vector1() {
        let workspace = ContainerNames.workspaceName(profileSlug: "ultramic_384_evo", serial: "ABC034F", busPath: "1-3.2", cardIndex: 2)
        let spec = StationSpecs.recorder(
            device: .init(id: "0869-0389-ABC034F", workspaceName: workspace, alsaDevice: "hw:2,0"),
            profileSlug: "ultramic_384_evo", profile: Self.ultramic, settings: StationSettings())
        #expect(spec.name == "silvasonic-recorder-ultramic-384-evo-034f")
        #expect(spec.mounts.first?.source == "/mnt/data/workspace/recorder/ultramic-384-evo-034f")
        #expect(spec.configHash == "69c7c90b3ec3")
        #expect(spec.labels["io.silvasonic.config_hash"] == "69c7c90b3ec3")
        #expect(spec.labels["io.silvasonic.owner"] == "controller")
        #expect(spec.environment["SILVASONIC_RECORDER_CONFIG_JSON"] == #"{"audio":{"sample_rate":384000,"channels":1,"format":"S16LE","match_pattern":null,"match":{"usb_vendor_id":"0869","usb_product_id":"0389","alsa_name_contains":"ultramic"}},"processing":{"gain_db":12.0,"chunk_size":8192,"highpass_filter_hz":1000.0},"stream":{"raw_enabled":true,"processed_enabled":true,"live_stream_enabled":true,"segment_duration_s":10}}"#)
    }

    @Test("Vector 2: a dev workspace with a trailing slash, a local workspace, no serial")
    func vector2() {
        let (settings, problems) = StationSettings.from(environment: [
            "SILVASONIC_WORKSPACE_PATH": "/mnt/data/dev_workspaces/silvasonic/",
            "SILVASONIC_RECORDER_WORKSPACE_LOCAL": "/app/recorder-workspace",
            "SILVASONIC_REDIS_URL": "redis://redis:6379/0",
        ])
        #expect(problems.isEmpty)
        let workspace = ContainerNames.workspaceName(profileSlug: "generic_usb", serial: nil, busPath: "1-3.2", cardIndex: 1)
        let spec = StationSpecs.recorder(
            device: .init(id: "0d8c-0014-port1-3.2", workspaceName: workspace, alsaDevice: "hw:1,0"),
            profileSlug: "generic_usb", profile: Self.generic, settings: settings)
        #expect(spec.name == "silvasonic-recorder-generic-usb-p1d3")
        #expect(spec.mounts.first?.controllerSource == "/app/recorder-workspace/generic-usb-p1d3")
        #expect(spec.configHash == "2a35d5ec1b5b")
    }

    @Test("Vector 3: BirdNET with defaults")
    func vector3() {
        let spec = StationSpecs.birdnet(settings: StationSettings())
        #expect(spec.name == "silvasonic-birdnet")
        #expect(spec.labels["io.silvasonic.profile"] == nil)
        #expect(spec.configHash == "9df41ba5801d")
    }

    @Test("Labels are not hashed; any hashed field changes the hash")
    func whatIsHashed() {
        let base = StationSpecs.birdnet(settings: StationSettings())
        var relabelled = base
        relabelled.labels["io.silvasonic.extra"] = "x"
        #expect(relabelled.configHash == base.configHash)
        var changed = base
        changed.memoryLimit = "1g"
        #expect(changed.configHash != base.configHash)
        var settings = StationSettings()
        settings.recorderOOMScoreAdjust = 0
        #expect(StationSpecs.birdnet(settings: settings).configHash == base.configHash, "the worker's oom score is fixed")
    }

    @Test("JSON renders like Python's json.dumps(sort_keys=True): escapes, surrogates, floats")
    func pythonRendering() {
        let value = OrderedJSON.object([
            .init("b", .array([.int(1), .float(2.5), .null, .bool(true)])),
            .init("a", .string("é\"\\\n\u{01}😀/")),
            .init("c", .object([.init("z", .float(1e-05)), .init("y", .float(1e16)), .init("x", .float(12))])),
        ])
        #expect(value.rendered(.pythonSortedASCII)
            == #"{"a": "\u00e9\"\\\n\u0001\ud83d\ude00/", "b": [1, 2.5, null, true], "c": {"x": 12.0, "y": 1e+16, "z": 1e-05}}"#)
        #expect(OrderedJSON.object([.init("b", .int(1)), .init("a", .string("é"))]).rendered(.compact) == #"{"b":1,"a":"é"}"#)
    }

    @Test("Bad settings keep their defaults and are reported by name")
    func badSettings() {
        let (settings, problems) = StationSettings.from(environment: [
            "SILVASONIC_RECORDER_MEMORY_LIMIT": "lots", "SILVASONIC_RECORDER_CPU_LIMIT": "-1",
            "SILVASONIC_RECORDER_OOM_SCORE_ADJ": "0", "SILVASONIC_RECORDER_SOUND_DEVICE": "/dev/null",
        ])
        #expect(settings.recorderMemoryLimit == "512m")
        #expect(settings.recorderCPULimit == 1.0)
        #expect(settings.recorderOOMScoreAdjust == 0)
        #expect(settings.soundDevice == "/dev/null")
        #expect(problems.map(\.variable) == ["SILVASONIC_RECORDER_MEMORY_LIMIT", "SILVASONIC_RECORDER_CPU_LIMIT"])
        #expect(MemorySize.bytes("512m") == 536_870_912)
        #expect(MemorySize.bytes("1G") == 1 << 30)
        #expect(MemorySize.bytes("0m") == nil)
    }
}
