import Foundation
package import Hummingbird
package import Logging
package import Prometheus
package import SilvasonicController
import SilvasonicIO

/// The controller's HTTP surface (Hummingbird): `GET /healthy`, `GET /metrics`, `GET /status`,
/// and the operator API over the owned containers.
///
/// | request | answers |
/// |---|---|
/// | `GET /healthy` | the contract's `{"status","live","components"}`: 200 when live, 503 when not |
/// | `GET /metrics` | Prometheus text |
/// | `GET /status` | the live supervision tree (``StatusTree``) |
/// | `GET /containers` | every owned container, and the ones desired state names |
/// | `GET /container/<name>/status` | Podman's view and the owning actor's |
/// | `GET /container/<name>/logs?tail=N` | the last N (100) lines |
/// | `POST /container/<name>/start`, `stop`, `restart` | 200; 404 unknown or foreign; 409 already so |
/// | `POST /stand-down`, `POST /resume` | 200: every recorder and worker stopped and none started (in memory: a restarted controller records again), or carried out again |
///
/// A backend that cannot be reached is 503, one that answers with an error 500, each with its cause.
///
/// With a token (`SILVASONIC_CONTROLLER_API_TOKEN`) every operator request needs
/// `Authorization: Bearer <token>` (401 without); without one, reading is open and the control
/// verbs are off (403, saying so). Health, metrics and status are always open. A wrong method
/// on a known path (OPTIONS and TRACE included) is 405 with `Allow`; HEAD is answered for every
/// GET. Every refusal has one shape, `{"error": message, "status": code}`. A connection that
/// sends no whole request head within 10 s of opening, or nothing for 30 s, is closed.
package enum ControllerHTTP {
    /// Where and how it listens.
    package struct Settings: Sendable {
        /// `SILVASONIC_CONTROLLER_PORT` (9100).
        public var port = 9100
        /// `SILVASONIC_CONTROLLER_HOST` (`127.0.0.1`: this machine only; the compose file opens it
        /// to the stack's network with `0.0.0.0`).
        public var host = "127.0.0.1"
        /// `SILVASONIC_CONTROLLER_API_TOKEN`; `nil`: control verbs off.
        package var apiToken: String?
        /// A connection that has not sent a whole request head this long after opening is closed
        /// (`run` sets it from ``ControllerSettings/httpHeaderTimeout``).
        package var headerTimeout: Duration = .seconds(10)
        /// A connection that sends nothing this long (between requests, or in the middle of one)
        /// is closed (``ControllerSettings/httpIdleTimeout``).
        package var idleTimeout: Duration = .seconds(30)

        public init(port: Int = 9100, host: String = "127.0.0.1", apiToken: String? = nil,
                    headerTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(30)) {
            self.port = port
            self.host = host
            self.apiToken = apiToken
            self.headerTimeout = headerTimeout
            self.idleTimeout = idleTimeout
        }

        /// Reads the settings; a bad port is a message for the log, and the default stays.
        public static func from(environment: [String: String]) -> (settings: Settings, problems: [String]) {
            var settings = Settings()
            var problems: [String] = []
            if let text = environment["SILVASONIC_CONTROLLER_PORT"], !text.isEmpty {
                if let port = Int(text), (0...65_535).contains(port) { settings.port = port } else {
                    problems.append("SILVASONIC_CONTROLLER_PORT: \"\(text)\" is not a port number; using 9100")
                }
            }
            if let host = environment["SILVASONIC_CONTROLLER_HOST"], !host.isEmpty { settings.host = host }
            if let token = environment["SILVASONIC_CONTROLLER_API_TOKEN"], !token.isEmpty { settings.apiToken = token }
            return (settings, problems)
        }
    }

    /// The router with every route.
    /// - Parameter logger: where the audit of operator requests and refusals goes.
    static func router(station: Station, metrics: PrometheusCollectorRegistry, apiToken: String?,
                              logger: Logger = Logger(label: "silvasonic.http")) -> Router<ControllerRequestContext> {
        // HEAD is answered for every GET route, as the GET without its body.
        let router = Router(context: ControllerRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: AuditMiddleware(logger: logger))
        router.add(middleware: ProblemMiddleware())
        let actions = OperatorActions(station: station)
        let guardian = Guardian(token: apiToken)

        router.get("healthy") { _, _ in
            let health = station.health()
            return json(ControllerHeartbeat.healthJSON(health), status: health.live ? .ok : .serviceUnavailable)
        }
        router.get("metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: ControllerMetrics.withHelp(
                         String(decoding: metrics.emitToBuffer(), as: UTF8.self)))))
        }
        router.get("status") { _, _ in json(await station.statusTree()) }
        router.get("containers") { request, _ in
            try guardian.read(request)
            return try await answer {
                .array(try await actions.containers().map { target in
                    [
                        "name": .string(target.name), "service": .string(target.service),
                        "device_id": .string(target.deviceID),
                        "container_id": target.containerID.map(JSONValue.string) ?? .null,
                        "state": .string(target.podmanState ?? "absent"),
                    ]
                })
            }
        }
        router.get("container/:name/status") { request, context in
            try guardian.read(request)
            let name = try context.parameters.require("name")
            return try await answer { try await actions.status(name) }
        }
        router.get("container/:name/logs") { request, context in
            try guardian.read(request)
            let name = try context.parameters.require("name")
            let text = request.uri.queryParameters["tail"].map(String.init) ?? "100"
            guard let tail = Int(text) else { return problem(.badRequest, "tail must be a whole number from 1 to 10000") }
            return try await answer { .array(try await actions.logs(name, tail: tail).map(JSONValue.string)) }
        }
        for verb in ["start", "stop", "restart"] {
            router.post("container/:name/\(verb)") { request, context in
                try guardian.control(request)
                let name = try context.parameters.require("name")
                return try await answer {
                    switch verb {
                    case "start": try await actions.start(name)
                    case "stop": try await actions.stop(name)
                    default: try await actions.restart(name)
                    }
                }
            }
        }
        // The whole station: stand down (stop everything, start nothing) and resume.
        router.post("stand-down") { request, _ in
            try guardian.control(request)
            await station.standDown(true)
            return json(["action": "stand-down", "stood_down": true])
        }
        router.post("resume") { request, _ in
            try guardian.control(request)
            await station.standDown(false)
            return json(["action": "resume", "stood_down": false])
        }
        // A known path with another method: 405 and what is allowed.
        let allowed: [(RouterPath, HTTPRequest.Method)] = [
            ("healthy", .get), ("metrics", .get), ("status", .get), ("containers", .get),
            ("container/:name/status", .get), ("container/:name/logs", .get),
            ("container/:name/start", .post), ("container/:name/stop", .post), ("container/:name/restart", .post),
            ("stand-down", .post), ("resume", .post),
        ]
        for (path, method) in allowed {
            for other in [HTTPRequest.Method.get, .post, .put, .delete, .patch, .options, .trace] where other != method {
                router.on(path, method: other) { _, _ in
                    var response = problem(.methodNotAllowed, "\(other) is not allowed here; use \(method)")
                    response.headers[.allow] = method.rawValue
                    return response
                }
            }
        }
        return router
    }

    /// The server as a swift-service-lifecycle service (add it to the `ServiceGroup`).
    package static func application(station: Station, metrics: PrometheusCollectorRegistry, settings: Settings,
                                   logger: Logger = Logger(label: "silvasonic.http"),
                                   onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol {
        Application(router: router(station: station, metrics: metrics, apiToken: settings.apiToken, logger: logger),
                    // A connection that sends no whole request head within the header timeout
                    // (10 s), or nothing for the idle timeout (30 s), is closed: idle and
                    // half-open connections cannot pile up.
                    server: .http1(configuration: .init(
                        additionalChannelHandlers: [RequestHeadTimeout(limit: .nanoseconds(settings.headerTimeout.nanoseconds))],
                        idleTimeout: .nanoseconds(settings.idleTimeout.nanoseconds))),
                    configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "silvasonic-controller"),
                    onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? settings.port) })
    }

    /// Runs an operator action, mapping its failures to statuses.
    static func answer(_ action: () async throws -> JSONValue) async throws -> Response {
        do {
            return json(try await action())
        } catch let failure as OperatorActions.Failure {
            switch failure {
            case .notFound(let message): return problem(.notFound, message)
            case .conflict(let message): return problem(.conflict, message)
            case .unavailable(let message): return problem(.serviceUnavailable, message)
            case .failed(let message): return problem(.internalServerError, message)
            case .badRequest(let message): return problem(.badRequest, message)
            }
        } catch {
            return problem(.internalServerError, "\(error)")
        }
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data("null".utf8)
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// `{"error": message, "status": code}`.
    static func problem(_ status: HTTPResponse.Status, _ message: String) -> Response {
        json(["error": .string(message), "status": .int(status.code)], status: status)
    }
}

/// Hummingbird's request context, with the peer that sent the request (for the audit log).
package struct ControllerRequestContext: RequestContext {
    package var coreContext: CoreRequestContextStorage
    /// `address:port` of the peer, when the socket knows it.
    package let peer: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peer = source.channel.remoteAddress.map { "\($0.ipAddress ?? "local"):\($0.port ?? 0)" }
    }
}

/// The audit: every request of the operator API (`/containers`, `/container/…`) and every
/// refused request, with method, path, status and peer, at notice level.
struct AuditMiddleware: RouterMiddleware {
    typealias Context = ControllerRequestContext
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response {
        let response = try await next(request, context)
        let path = request.uri.path
        let operatorAPI = path == "/containers" || path.hasPrefix("/container/")
        guard operatorAPI || response.status.code >= 400 else { return response }
        logger.notice(operatorAPI ? "operator request" : "refused request", metadata: [
            "http.method": "\(request.method.rawValue)", "http.path": "\(path)", "http.status": "\(response.status.code)",
            "peer": "\(context.peer ?? "unknown")",
        ])
        return response
    }
}

/// One error shape for every refusal, `{"error": message, "status": code}` (the router's own 404s
/// and the token rules' 401/403 included, their headers kept).
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            var response = ControllerHTTP.problem(error.status, error.body ?? error.status.reasonPhrase)
            for field in error.headers where response.headers[field.name] == nil { response.headers.append(field) }
            return response
        }
    }
}

/// The bearer-token rules.
struct Guardian: Sendable {
    let token: String?

    /// Reading the operator API: open without a token, else the token.
    func read(_ request: Request) throws {
        if token != nil { try authorize(request) }
    }

    /// A control verb: off without a token, else the token.
    func control(_ request: Request) throws {
        guard token != nil else {
            throw HTTPError(.forbidden, message: "control verbs are off: this controller has no SILVASONIC_CONTROLLER_API_TOKEN")
        }
        try authorize(request)
    }

    private func authorize(_ request: Request) throws {
        guard let token, let header = request.headers[.authorization], header.hasPrefix("Bearer "),
              constantTimeEqual(Array(header.utf8.dropFirst(7)), Array(token.utf8)) else {
            throw HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Bearer"],
                            message: "a bearer token is required (Authorization: Bearer <SILVASONIC_CONTROLLER_API_TOKEN>)")
        }
    }

    private func constantTimeEqual(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

extension Duration {
    /// Whole nanoseconds (for NIO's `TimeAmount`).
    var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
