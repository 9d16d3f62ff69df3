public import ControllerCore
public import SilvasonicHardware
public import SilvasonicPodman
public import SilvasonicPostgres
public import SilvasonicRedis
package import Supervision

/// What happens to the owned Tier 2 containers when the controller stops.
public enum ShutdownPolicy: String, Sendable, CaseIterable {
    /// Stop them gracefully, in reverse order (the default).
    case stopTier2 = "stop-tier2"
    /// Leave them running, for a hand-over to the next controller.
    case detach
}

/// Everything the controller reads from its environment, once, in `main`.
public struct ControllerSettings: Sendable {
    /// How each DeviceActor restarts its recorder: the first restart after a crash at once,
    /// then ``recorderBackoffInitial`` doubling (±10 % jitter) up to ``recorderBackoffMaximum``;
    /// past ``recorderMaxRestarts`` within ``recorderRestartWindow`` it is labelled crash-looping,
    /// with the same waits; a run of ``recorderBackoffReset`` starts over.
    package var recorderPolicy: RecorderPolicy {
        RecorderPolicy(intensity: RestartIntensity(maxRestarts: recorderMaxRestarts, within: recorderRestartWindow),
                       backoff: BackoffPolicy(initial: recorderBackoffInitial, maximum: recorderBackoffMaximum,
                                              jitter: RecorderPolicy.jitter, resetAfter: recorderBackoffReset,
                                              immediateFirstRestart: true))
    }

    public var station: StationSettings
    public var postgres: PostgresConfiguration
    public var redis: RedisConfiguration
    public var podman: PodmanConfiguration
    var hardwareRoots: HardwareRoots
    public var scanInterval: Duration
    /// `SILVASONIC_HARDWARE_UEVENTS` (`auto`): whether netlink uevents are listened to.
    public var uevents: UEventListening = .auto
    public var reconcileInterval = Duration.seconds(1)
    package var offlineGrace = Duration.seconds(3)
    package var shutdownPolicy = ShutdownPolicy.stopTier2
    /// Restarts of one recorder allowed within ``recorderRestartWindow`` before it is labelled
    /// crash-looping (a label only: its waits stay the backoff's; never given up).
    var recorderMaxRestarts = 5
    var recorderRestartWindow = Duration.seconds(300)
    /// The wait before the second consecutive restart of a crashed recorder (the first is at once).
    package var recorderBackoffInitial = Duration.seconds(1)
    /// The longest wait between restarts (the backoff's cap).
    var recorderBackoffMaximum = Duration.seconds(60)
    /// How long a recorder must run for its backoff to start over (and a crash loop to end).
    var recorderBackoffReset = Duration.seconds(60)
    /// `SILVASONIC_RECONNECT_MAX_S` (1.0): the longest wait between attempts to reach
    /// PostgreSQL, Redis or Podman's event stream again. These are the station's own local
    /// services: an attempt a second costs nothing, and the controller is back within about a
    /// second of their return, however long they were gone.
    package var reconnectMaximum = Duration.seconds(1)
    /// `SILVASONIC_CONTROLLER_HTTP_HEADER_TIMEOUT_S` (10): the HTTP server closes a connection
    /// that has not sent a whole request head this long after opening.
    package var httpHeaderTimeout = Duration.seconds(10)
    /// `SILVASONIC_CONTROLLER_HTTP_IDLE_TIMEOUT_S` (30): the HTTP server closes a connection that
    /// sends nothing this long.
    package var httpIdleTimeout = Duration.seconds(30)
    /// `SILVASONIC_RECORDER_HEARTBEAT_INTERVAL_S`: how often recorders publish their heartbeat
    /// (their own `SILVASONIC_HEARTBEAT_INTERVAL_S`, 10 s by default, which the contract's spec
    /// does not pass on); the watch reads at this pace and calls one stale after three intervals.
    package var recorderHeartbeatInterval = Duration.seconds(10)
    /// `SILVASONIC_RECORDER_STARTUP_GRACE_S`: how long a new recorder may go without a
    /// heartbeat before the watch counts against it; by default six intervals, at least 60 s.
    package var recorderStartupGrace = Duration.seconds(60)
    /// `SILVASONIC_HEARTBEAT_INTERVAL_S`: how often the controller publishes its own heartbeat.
    package var heartbeatInterval = Duration.seconds(10)
    /// `SILVASONIC_DEVELOPMENT_MODE`: `false` gives JSON log lines; anything else (unset too) a
    /// readable console.
    package var developmentMode = true
    /// `SILVASONIC_CONTROLLER_LOG_STARTUP_S` (300): how long routine messages are logged after
    /// the start; then only warnings and a summary every
    /// `SILVASONIC_CONTROLLER_LOG_SUMMARY_INTERVAL_S` (300).
    var logStartup = Duration.seconds(300)
    var logSummaryInterval = Duration.seconds(300)
    /// Where the seeders read profiles, defaults and overrides.
    package var seeding = StationSeeder.Sources()
    /// Settings that could not be read and kept their defaults, as messages for the log.
    package var problems: [String] = []

    /// The backoff between reconnect attempts (including Podman's event stream) with its
    /// maximum at `cap`.
    package var reconnectBackoff: BackoffPolicy {
        Self.capped(BackoffPolicy(initial: .milliseconds(250), maximum: .seconds(30)), at: reconnectMaximum)
    }

    static func capped(_ policy: BackoffPolicy, at cap: Duration) -> BackoffPolicy {
        var policy = policy
        policy.maximum = cap
        policy.initial = min(policy.initial, cap)
        return policy
    }

    /// Reads the contract's variables.
    /// - Throws: ``RedisError`` `invalidURL` for a Redis URL that does not parse (nothing
    ///   sensible can stand in for it).
    public init(environment: [String: String]) throws {
        let (station, stationProblems) = StationSettings.from(environment: environment)
        self.station = station
        problems = stationProblems.map(\.description)
        postgres = PostgresConfiguration(environment: environment)
        redis = try RedisConfiguration(environment: environment)
        podman = PodmanConfiguration(environment: environment)
        hardwareRoots = HardwareRoots(environment: environment)
        seeding = StationSeeder.Sources(environment: environment)
        let scan = ScanInterval.from(environment: environment)
        scanInterval = scan.interval
        if let problem = scan.problem { problems.append(problem) }
        let listening = UEventListening.from(environment: environment)
        uevents = listening.listening
        if let problem = listening.problem { problems.append(problem) }
        var problems = self.problems
        func seconds(_ name: String, default value: Duration, allowZero: Bool = false) -> Duration {
            guard let text = environment[name], !text.isEmpty else { return value }
            // From a millisecond (less would round to no wait at all: a loop that never sleeps) to
            // a billion seconds (31 years: "never", for any of them; more overflows a duration).
            guard let number = Double(text), number <= 1e9, number >= 0.001 || (allowZero && number == 0) else {
                problems.append("\(name): \"\(text)\" is not a positive number of seconds (0.001 to 1e9); using \(value)")
                return value
            }
            return .milliseconds(Int64((number * 1000).rounded()))
        }
        reconcileInterval = seconds("SILVASONIC_RECONCILE_INTERVAL_S", default: .seconds(1))
        heartbeatInterval = seconds("SILVASONIC_HEARTBEAT_INTERVAL_S", default: .seconds(10))
        logStartup = seconds("SILVASONIC_CONTROLLER_LOG_STARTUP_S", default: .seconds(300), allowZero: true)
        logSummaryInterval = seconds("SILVASONIC_CONTROLLER_LOG_SUMMARY_INTERVAL_S", default: .seconds(300))
        httpHeaderTimeout = seconds("SILVASONIC_CONTROLLER_HTTP_HEADER_TIMEOUT_S", default: .seconds(10))
        httpIdleTimeout = seconds("SILVASONIC_CONTROLLER_HTTP_IDLE_TIMEOUT_S", default: .seconds(30))
        developmentMode = environment["SILVASONIC_DEVELOPMENT_MODE"]?.lowercased() != "false"
        // Read (and checked) with the station settings, which pass it on to the recorders.
        if let interval = station.recorderHeartbeatInterval.flatMap(Double.init) {
            recorderHeartbeatInterval = .milliseconds(Int64((interval * 1000).rounded()))
        }
        recorderStartupGrace = seconds("SILVASONIC_RECORDER_STARTUP_GRACE_S",
                                       default: max(.seconds(60), recorderHeartbeatInterval * 6))
        recorderRestartWindow = seconds("SILVASONIC_RECORDER_RESTART_WINDOW_S", default: .seconds(300))
        recorderBackoffInitial = seconds("SILVASONIC_RECORDER_BACKOFF_INITIAL_S", default: .seconds(1))
        recorderBackoffMaximum = seconds("SILVASONIC_RECORDER_BACKOFF_MAX_S", default: .seconds(60))
        recorderBackoffReset = seconds("SILVASONIC_RECORDER_BACKOFF_RESET_S", default: .seconds(60))
        if recorderBackoffInitial > recorderBackoffMaximum {
            problems.append("SILVASONIC_RECORDER_BACKOFF_INITIAL_S (\(recorderBackoffInitial)) is above "
                + "SILVASONIC_RECORDER_BACKOFF_MAX_S (\(recorderBackoffMaximum)); every restart waits at most the maximum")
        }
        reconnectMaximum = seconds("SILVASONIC_RECONNECT_MAX_S", default: .seconds(1))
        postgres.reconnectBackoff = Self.capped(postgres.reconnectBackoff, at: reconnectMaximum)
        redis.reconnectBackoff = Self.capped(redis.reconnectBackoff, at: reconnectMaximum)
        if let text = environment["SILVASONIC_DB_PORT"], !text.isEmpty, Int(text).map({ (1...65535).contains($0) }) != true {
            problems.append("SILVASONIC_DB_PORT: \"\(text)\" is not a port (1-65535); using \(postgres.port)")
        }
        // The HTTP endpoints read their own port (ControllerHTTP); named here too, so that `check`
        // and the start-up log say it once, with the other settings.
        if let text = environment["SILVASONIC_CONTROLLER_PORT"], !text.isEmpty, Int(text).map({ (0...65535).contains($0) }) != true {
            problems.append("SILVASONIC_CONTROLLER_PORT: \"\(text)\" is not a port number (0-65535; 0: any free port); using 9100")
        }
        if let text = environment["SILVASONIC_PODMAN_CONNECTIONS"], !text.isEmpty {
            if let count = Int(text), (1...256).contains(count) { podman.maximumConnections = count } else {
                problems.append("SILVASONIC_PODMAN_CONNECTIONS: \"\(text)\" is not a count from 1 to 256; using \(podman.maximumConnections)")
            }
        }
        if let text = environment["SILVASONIC_RECORDER_MAX_RESTARTS"], !text.isEmpty {
            if let count = Int(text), count >= 0 { recorderMaxRestarts = count } else {
                problems.append("SILVASONIC_RECORDER_MAX_RESTARTS: \"\(text)\" is not a count; using 5")
            }
        }
        offlineGrace = seconds("SILVASONIC_DEVICE_OFFLINE_GRACE_PERIOD_S", default: .seconds(3), allowZero: true)
        if let value = environment["SILVASONIC_SHUTDOWN_POLICY"], !value.isEmpty {
            if let policy = ShutdownPolicy(rawValue: value) { shutdownPolicy = policy } else {
                problems.append("SILVASONIC_SHUTDOWN_POLICY: \"\(value)\" is not stop-tier2 or detach; using stop-tier2")
            }
        }
        self.problems = problems
    }
}
