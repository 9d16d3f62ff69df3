import ControllerCore
import SilvasonicController
import SilvasonicPodman
import SilvasonicPostgres
import SilvasonicRedis

/// Every setting the controller reads, in the order a fuzz input's lines fill them.
let settingNames = [
    "SILVASONIC_DB_HOST", "SILVASONIC_DB_PORT", "POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB", "SILVASONIC_REDIS_URL",
    "SILVASONIC_TIER2_REDIS_URL", "SILVASONIC_CONTAINER_SOCKET", "SILVASONIC_PODMAN_CONNECTIONS", "SILVASONIC_CONTROLLER_PORT",
    "SILVASONIC_CONTROLLER_HOST", "SILVASONIC_CONTROLLER_HTTP_HEADER_TIMEOUT_S", "SILVASONIC_CONTROLLER_HTTP_IDLE_TIMEOUT_S",
    "SILVASONIC_CONTROLLER_LOG_STARTUP_S", "SILVASONIC_CONTROLLER_LOG_SUMMARY_INTERVAL_S", "SILVASONIC_CONTROLLER_OWNER",
    "SILVASONIC_DEVICE_OFFLINE_GRACE_PERIOD_S", "SILVASONIC_HARDWARE_UEVENTS", "SILVASONIC_HEARTBEAT_INTERVAL_S",
    "SILVASONIC_NETWORK", "SILVASONIC_RECONCILE_INTERVAL_S", "SILVASONIC_RECONNECT_MAX_S", "SILVASONIC_RECORDER_BACKOFF_INITIAL_S",
    "SILVASONIC_RECORDER_BACKOFF_MAX_S", "SILVASONIC_RECORDER_BACKOFF_RESET_S", "SILVASONIC_RECORDER_CPU_LIMIT",
    "SILVASONIC_RECORDER_HEARTBEAT_INTERVAL_S", "SILVASONIC_RECORDER_IMAGE", "SILVASONIC_RECORDER_MAX_RESTARTS",
    "SILVASONIC_RECORDER_MEMORY_LIMIT", "SILVASONIC_RECORDER_OOM_SCORE_ADJ", "SILVASONIC_RECORDER_RESTART_MAX_RETRIES",
    "SILVASONIC_RECORDER_RESTART_WINDOW_S", "SILVASONIC_RECORDER_SOUND_DEVICE", "SILVASONIC_RECORDER_STARTUP_GRACE_S",
    "SILVASONIC_RECORDER_WORKSPACE_LOCAL", "SILVASONIC_SCAN_INTERVAL_S", "SILVASONIC_SHUTDOWN_POLICY",
    "SILVASONIC_WORKSPACE_PATH", "SILVASONIC_PROCFS_ROOT", "SILVASONIC_SYSFS_ROOT", "SILVASONIC_DEVELOPMENT_MODE",
]

/// One fuzz input: lines as the values of the settings above (a line each, in order). Reading
/// them must not crash, whatever they hold: a value it cannot use is a problem it names (or a
/// refusal to start), never a trap; and the recorder spec and Podman's create body made from
/// them must be made. The first line is also read as a libpq connection string.
func fuzzSettings(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: data == nil ? 0 : size), as: UTF8.self)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    var environment: [String: String] = [:]
    for (name, value) in zip(settingNames, lines) { environment[name] = value }
    _ = try? PostgresConfiguration(connectionString: lines.first ?? "")
    _ = try? RedisConfiguration(url: lines.first ?? "")
    guard let settings = try? ControllerSettings(environment: environment) else { return 0 }
    precondition(settings.reconcileInterval > .zero && settings.scanInterval > .zero, "a zero interval accepted")
    let profile = RecorderProfileConfig(sampleRate: 48_000)
    let spec = StationSpecs.recorder(device: .init(id: "fuzz", workspaceName: "fuzz", alsaDevice: nil), profileSlug: "fuzz",
                                     profile: profile, settings: settings.station)
    let body = spec.podmanSpec
    precondition(body.cpuQuotaMicroseconds.map { $0 > 0 } ?? true, "a CPU quota of zero or less")
    _ = spec.configHash
    return 0
}
