import ArgumentParser
import ControllerHTTP
import Foundation
import Logging
import Prometheus
import ServiceLifecycle
import SilvasonicController
import Supervision

/// `silvasonic-controller run`: the station's controller process.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the controller: one recorder container per enrolled USB microphone, kept alive.",
        discussion: """
            Reads the SILVASONIC_* settings, then supervises the scanner, the nudge listener, \
            Podman's event stream and one recorder actor per microphone until SIGTERM or SIGINT. \
            On the way out the owned Tier 2 containers are stopped (SILVASONIC_SHUTDOWN_POLICY=stop-tier2, \
            the default) or left running for the next controller (detach).

            Examples:
              silvasonic-controller run
              SILVASONIC_SHUTDOWN_POLICY=detach silvasonic-controller run
            """
    )

    func run() async throws {
        let settings: ControllerSettings
        do {
            settings = try ControllerSettings(environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ConfigurationProblem(description: "\(error)")
        }
        // Verbose while starting; the station lowers it when the start-up window ends.
        let verbosity = LogVerbosity(.info)
        LoggingSystem.bootstrap { label -> any LogHandler in
            if settings.developmentMode { return ConsoleLogHandler(label: label, verbosity: verbosity) }
            return JSONLinesLogHandler(label: label, verbosity: verbosity)
        }
        let logger = Logger(label: "silvasonic.controller")
        let environment = ProcessInfo.processInfo.environment
        // A bad port is among the settings' problems, logged once when the station starts.
        var (http, _) = ControllerHTTP.Settings.from(environment: environment)
        http.headerTimeout = settings.httpHeaderTimeout
        http.idleTimeout = settings.httpIdleTimeout
        let registry = PrometheusCollectorRegistry()
        let station = Station(settings: settings, logger: logger,
                              metrics: ControllerMetrics(factory: PrometheusMetricsFactory(registry: registry)),
                              verbosity: verbosity, systemd: SystemdNotifier(environment: environment))
        logger.info("controller starting", metadata: [
            "database": "\(settings.postgres)", "redis": "\(settings.redis)", "podman": "\(settings.podman)",
            "owner": "\(settings.station.owner)", "shutdown.policy": "\(settings.shutdownPolicy.rawValue)",
            "http": "\(http.host):\(http.port)", "control": "\(http.apiToken == nil ? "off (no token)" : "on")",
        ])
        let server = ControllerHTTP.application(station: station, metrics: registry, settings: http, logger: logger) { port in
            logger.info("HTTP listening", metadata: ["port": "\(port)"])
        }
        // The HTTP server is the root's last child: a failure (a taken port) is logged and
        // restarted on the root's backoff (0.5 s doubling to 30 s, never past its intensity),
        // and never takes the recorders with it.
        let httpChild = ChildSpec(id: "http") { [logger] in
            do {
                try await server.run()
            } catch {
                logger.error("HTTP server failed; the controller goes on without /healthy, /metrics and the operator API until it is back",
                             metadata: ["error": "\(error)"])
                throw error
            }
        }
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: StationService(station: station, beside: [httpChild]))],
                                 gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        logger.info("controller stopped")
    }
}

/// The station as a swift-service-lifecycle service: a graceful shutdown cancels its tree.
struct StationService: Service {
    let station: Station
    /// Children added at the root's end (the HTTP server).
    let beside: [ChildSpec]

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await station.run(beside: beside)
        }
    }
}
