/// The contract's two kinds of Tier 2 containers, built from settings and database rows.
public enum StationSpecs {
    /// What a recorder spec needs of its `devices` row.
    public struct RecorderDevice: Sendable, Hashable {
        /// `devices.name`, the stable device id.
        public var id: String
        /// `devices.workspace_name`.
        public var workspaceName: String
        /// `devices.config.alsa_device`; `nil` gives the reference's `hw:1,0`.
        public var alsaDevice: String?

        public init(id: String, workspaceName: String, alsaDevice: String?) {
            self.id = id
            self.workspaceName = workspaceName
            self.alsaDevice = alsaDevice
        }
    }

    /// Where the controller itself sees the workspace of the recorder named `workspaceName`
    /// (the host directory mounted at `/app/workspace`).
    package static func recorderWorkspace(_ workspaceName: String, settings: StationSettings) -> String {
        PythonPath.join(settings.recorderWorkspaceLocal ?? PythonPath.join(settings.workspacePath, "recorder"), workspaceName)
    }

    /// The recorder of one enrolled device, labelled with its config hash.
    /// - Parameter profileEnvironment: `profile.recorderEnvironmentValue`, when the caller has it
    ///   rendered already (devices of one profile then share one string).
    public static func recorder(device: RecorderDevice, profileSlug: String, profile: RecorderProfileConfig,
                                settings: StationSettings, profileEnvironment: String? = nil) -> Tier2Spec {
        var environment = [
            "SILVASONIC_RECORDER_DEVICE": device.alsaDevice ?? "hw:1,0",
            "SILVASONIC_RECORDER_PROFILE_SLUG": profileSlug,
            "SILVASONIC_RECORDER_CONFIG_JSON": profileEnvironment ?? profile.recorderEnvironmentValue,
            "SILVASONIC_REDIS_URL": settings.redisURL,
            "SILVASONIC_INSTANCE_ID": device.id,
            "PULSE_SERVER": "",
            "PIPEWIRE_RUNTIME_DIR": "",
        ]
        if let interval = settings.recorderHeartbeatInterval { environment["SILVASONIC_HEARTBEAT_INTERVAL_S"] = interval }
        return Tier2Spec(
            image: settings.recorderImage,
            name: ContainerNames.recorderContainerName(workspaceName: device.workspaceName),
            network: settings.network,
            environment: environment,
            labels: [
                "io.silvasonic.tier": "2",
                "io.silvasonic.owner": settings.owner,
                "io.silvasonic.service": "recorder",
                "io.silvasonic.device_id": device.id,
                "io.silvasonic.profile": profileSlug,
            ],
            mounts: [.init(source: PythonPath.join(settings.workspacePath, "recorder", device.workspaceName),
                           target: "/app/workspace", readOnly: false,
                           controllerSource: recorderWorkspace(device.workspaceName, settings: settings))],
            devices: ["\(settings.soundDevice):\(settings.soundDevice)"],
            groupAdd: ["audio"],
            privileged: true,
            restartPolicyName: "on-failure",
            restartMaxRetries: settings.recorderRestartMaxRetries,
            memoryLimit: settings.recorderMemoryLimit,
            cpuLimit: settings.recorderCPULimit,
            oomScoreAdjust: settings.recorderOOMScoreAdjust
        ).labelled()
    }

    /// The BirdNET worker (the one singleton the reference knows), labelled with its config hash.
    package static func birdnet(settings: StationSettings) -> Tier2Spec {
        Tier2Spec(
            image: "localhost/silvasonic_birdnet:latest",
            name: "silvasonic-birdnet",
            network: settings.network,
            environment: [
                "SILVASONIC_REDIS_URL": settings.redisURL,
                "SILVASONIC_INSTANCE_ID": "birdnet",
                "SILVASONIC_DB_HOST": settings.birdnetDatabaseHost,
                "POSTGRES_USER": settings.postgresUser,
                "POSTGRES_PASSWORD": settings.postgresPassword,
                "POSTGRES_DB": settings.postgresDatabase,
            ],
            labels: [
                "io.silvasonic.tier": "2",
                "io.silvasonic.owner": settings.owner,
                "io.silvasonic.service": "birdnet",
                "io.silvasonic.device_id": "birdnet",
            ],
            mounts: [
                .init(source: PythonPath.join(settings.workspacePath, "recorder"), target: "/data/recorder", readOnly: true,
                      controllerSource: settings.recorderWorkspaceLocal ?? PythonPath.join(settings.workspacePath, "recorder")),
                .init(source: PythonPath.join(settings.workspacePath, "birdnet"), target: "/data/birdnet", readOnly: false,
                      controllerSource: PythonPath.join(settings.workspacePath, "birdnet")),
            ],
            devices: [],
            groupAdd: [],
            privileged: false,
            restartPolicyName: "on-failure",
            restartMaxRetries: 5,
            memoryLimit: "512m",
            cpuLimit: 1.0,
            oomScoreAdjust: 500
        ).labelled()
    }
}
