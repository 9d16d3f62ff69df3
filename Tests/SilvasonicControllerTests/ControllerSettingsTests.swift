import ControllerCore
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

    @Test("Reconnects capped at a second by default (SILVASONIC_RECONNECT_MAX_S); a bad DB port or connection count is named")
    func reconnectCap() throws {
        let standard = try ControllerSettings(environment: [:])
        #expect(standard.postgres.reconnectBackoff.maximum == .seconds(1))
        #expect(standard.redis.reconnectBackoff.maximum == .seconds(1))
        #expect(standard.reconnectBackoff.maximum == .seconds(1))
        #expect(standard.reconnectBackoff.delay(forAttempt: 100, randomUnit: 1) == .seconds(1), "jitter never passes the cap")
        let quick = try ControllerSettings(environment: ["SILVASONIC_RECONNECT_MAX_S": "0.1"])
        #expect(quick.redis.reconnectBackoff.maximum == .milliseconds(100))
        #expect(quick.redis.reconnectBackoff.initial == .milliseconds(100), "the first wait never exceeds the cap")
        let bad = try ControllerSettings(environment: ["SILVASONIC_RECONNECT_MAX_S": "soon"])
        #expect(bad.reconnectMaximum == .seconds(1))
        #expect(bad.problems.contains { $0.hasPrefix("SILVASONIC_RECONNECT_MAX_S:") })
        for port in ["abc", "99999", "-1"] {
            let controller = try ControllerSettings(environment: ["SILVASONIC_CONTROLLER_PORT": port])
            #expect(controller.problems
                    == ["SILVASONIC_CONTROLLER_PORT: \"\(port)\" is not a port number (0-65535; 0: any free port); using 9100"])
        }
        #expect(try ControllerSettings(environment: ["SILVASONIC_CONTROLLER_PORT": "0"]).problems.isEmpty, "0: any free port")
        for port in ["abc", "99999", "0"] {
            let database = try ControllerSettings(environment: ["SILVASONIC_DB_PORT": port])
            #expect(database.postgres.port == 5432)
            #expect(database.problems.contains { $0.hasPrefix("SILVASONIC_DB_PORT: \"\(port)\"") }, "named, not silently 5432")
        }
        let http = try ControllerSettings(environment: ["SILVASONIC_CONTROLLER_HTTP_HEADER_TIMEOUT_S": "2.5",
                                                        "SILVASONIC_CONTROLLER_HTTP_IDLE_TIMEOUT_S": "never"])
        #expect(http.httpHeaderTimeout == .milliseconds(2500))
        #expect(http.httpIdleTimeout == .seconds(30))
        #expect(http.problems == [#"SILVASONIC_CONTROLLER_HTTP_IDLE_TIMEOUT_S: "never" is not a positive number of seconds (0.001 to 1e9); using 30.0 seconds"#])
        // Values too large for a duration are named, never a crash (found by SettingsFuzzer).
        let huge = try ControllerSettings(environment: ["SILVASONIC_RECONCILE_INTERVAL_S": "1e300", "SILVASONIC_RECORDER_CPU_LIMIT": "1e300",
                                                        "SILVASONIC_RECORDER_HEARTBEAT_INTERVAL_S": "1e300", "SILVASONIC_SCAN_INTERVAL_S": "inf"])
        #expect(huge.reconcileInterval == .seconds(1))
        #expect(huge.station.recorderCPULimit == StationSettings().recorderCPULimit)
        #expect(huge.recorderHeartbeatInterval == .seconds(10))
        #expect(huge.problems.count == 4, "\(huge.problems)")
        // Nor too small to wait at all: 1e-300 s rounds to no wait, a loop that never sleeps.
        let tiny = try ControllerSettings(environment: ["SILVASONIC_RECONCILE_INTERVAL_S": "1e-300", "SILVASONIC_SCAN_INTERVAL_S": "1e-9",
                                                        "SILVASONIC_RECORDER_CPU_LIMIT": "1e-9"])
        #expect(tiny.reconcileInterval == .seconds(1))
        #expect(tiny.scanInterval == .seconds(1))
        #expect(tiny.station.recorderCPULimit == 1.0, "a CPU quota that rounds to none")
        #expect(tiny.problems.count == 3, "\(tiny.problems)")
        let connections = try ControllerSettings(environment: ["SILVASONIC_PODMAN_CONNECTIONS": "0"])
        #expect(connections.podman.maximumConnections == 8)
        #expect(connections.problems.contains { $0.hasPrefix("SILVASONIC_PODMAN_CONNECTIONS:") })
    }
}
