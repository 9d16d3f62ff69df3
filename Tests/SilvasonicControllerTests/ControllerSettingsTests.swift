import SilvasonicController
import Testing

@Suite("Controller settings read from the environment")
struct ControllerSettingsTests {
    @Test("Bad values keep their defaults and each is named once; the start-up grace follows the heartbeat interval")
    func problems() throws {
        let settings = try ControllerSettings(environment: [
            "SILVASONIC_SHUTDOWN_POLICY": "later", "SILVASONIC_RECORDER_HEARTBEAT_INTERVAL_S": "zero",
            "SILVASONIC_RECONCILE_INTERVAL_S": "-3",
        ])
        #expect(settings.shutdownPolicy == .stopTier2)
        #expect(settings.recorderHeartbeatInterval == .seconds(10))
        #expect(settings.problems.count == 3)
        #expect(settings.problems.contains { $0.hasPrefix("SILVASONIC_SHUTDOWN_POLICY:") })
        #expect(settings.problems.filter { $0.hasPrefix("SILVASONIC_RECORDER_HEARTBEAT_INTERVAL_S:") }.count == 1)

        let paced = try ControllerSettings(environment: ["SILVASONIC_RECORDER_HEARTBEAT_INTERVAL_S": "20"])
        #expect(paced.recorderHeartbeatInterval == .seconds(20))
        #expect(paced.recorderStartupGrace == .seconds(120))
        let quick = try ControllerSettings(environment: ["SILVASONIC_RECORDER_STARTUP_GRACE_S": "2"])
        #expect(quick.recorderStartupGrace == .seconds(2))
    }
}
