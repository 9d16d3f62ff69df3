import ControllerCore
import Testing

@Suite("Station settings beyond the contract's: defaults leave the reference's spec untouched")
struct StationSettingsTests {
    static let device = StationSpecs.RecorderDevice(id: "0869-0389-ABC034F", workspaceName: "ultramic-384-evo-034f",
                                                    alsaDevice: "hw:2,0")

    @Test("A heartbeat interval is passed on to recorders; unset, the spec hashes as the reference's")
    func heartbeatInterval() {
        let plain = StationSpecs.recorder(device: Self.device, profileSlug: "ultramic_384_evo",
                                          profile: ConfigHashTests.ultramic, settings: StationSettings())
        #expect(plain.configHash == "69c7c90b3ec3")
        #expect(plain.environment["SILVASONIC_HEARTBEAT_INTERVAL_S"] == nil)

        let (settings, problems) = StationSettings.from(environment: ["SILVASONIC_RECORDER_HEARTBEAT_INTERVAL_S": "2.5"])
        #expect(problems.isEmpty)
        let paced = StationSpecs.recorder(device: Self.device, profileSlug: "ultramic_384_evo",
                                          profile: ConfigHashTests.ultramic, settings: settings)
        #expect(paced.environment["SILVASONIC_HEARTBEAT_INTERVAL_S"] == "2.5")
        #expect(paced.configHash != plain.configHash, "a changed recorder environment is a changed recorder")

        let (_, bad) = StationSettings.from(environment: ["SILVASONIC_RECORDER_HEARTBEAT_INTERVAL_S": "-1"])
        #expect(bad.map(\.variable) == ["SILVASONIC_RECORDER_HEARTBEAT_INTERVAL_S"])
    }

    @Test("SILVASONIC_TIER2_REDIS_URL is what containers get; without it, SILVASONIC_REDIS_URL")
    func tier2RedisURL() {
        let (shared, _) = StationSettings.from(environment: ["SILVASONIC_REDIS_URL": "redis://redis:6379/0"])
        #expect(shared.redisURL == "redis://redis:6379/0")
        let (split, _) = StationSettings.from(environment: ["SILVASONIC_REDIS_URL": "redis://127.0.0.1:6379/0",
                                                            "SILVASONIC_TIER2_REDIS_URL": "redis://host.containers.internal:6379/0"])
        let spec = StationSpecs.recorder(device: Self.device, profileSlug: "ultramic_384_evo",
                                         profile: ConfigHashTests.ultramic, settings: split)
        #expect(spec.environment["SILVASONIC_REDIS_URL"] == "redis://host.containers.internal:6379/0")
        #expect(StationSpecs.birdnet(settings: split).environment["SILVASONIC_REDIS_URL"] == "redis://host.containers.internal:6379/0")
    }
}
