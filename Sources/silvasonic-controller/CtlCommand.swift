import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SilvasonicIO

/// `silvasonic-controller ctl VERB [NAME]`: the operator API of the controller on this machine,
/// from the command line (start, stop, restart, logs and status of one Tier 2 container; the
/// whole station stood down and resumed).
struct CtlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctl",
        abstract: "Start, stop or restart a Tier 2 container, or show its logs or status, through the running controller.",
        discussion: """
            Drives the controller's operator API (POST /container/NAME/start|stop|restart, \
            GET /container/NAME/logs and /status; POST /stand-down and /resume for the whole \
            station: `stand-down` stops every recorder and worker and starts none until `resume` or \
            the controller's restart). The bearer token is read from \
            SILVASONIC_CONTROLLER_API_TOKEN (or --token); without one the controller refuses the \
            control verbs.

            Exit status, from the controller's answer:
              0  done (2xx)
              1  no controller answers, or it failed (5xx)
              2  refused as asked (400, 405, 409: e.g. a recorder whose microphone is unplugged)
              3  no such container (404)
              4  not allowed: no or a wrong token, or control verbs off (401, 403)

            Examples:
              silvasonic-controller ctl restart silvasonic-recorder-ultramic-384-evo-034f
              silvasonic-controller ctl logs silvasonic-recorder-ultramic-384-evo-034f --tail 20
              silvasonic-controller ctl status silvasonic-birdnet
              silvasonic-controller ctl resume
            """
    )

    enum Verb: String, ExpressibleByArgument, CaseIterable {
        case start, stop, restart, logs, status
        case standDown = "stand-down", resume

        /// Whether it acts on one container (and needs its name) or on the whole station.
        var needsName: Bool { self != .standDown && self != .resume }
    }

    @Argument(help: "start, stop, restart, logs or status (of NAME); stand-down or resume (the whole station).")
    var verb: Verb

    @Argument(help: "The container's name, as `GET /containers` lists it (not for stand-down and resume).")
    var name: String?

    func validate() throws {
        if verb.needsName, name == nil { throw ValidationError("\(verb.rawValue) needs the container's NAME") }
        if !verb.needsName, name != nil { throw ValidationError("\(verb.rawValue) acts on the whole station: no NAME") }
    }

    @Option(help: "Log lines to show (logs), from 1 to 10000.")
    var tail = 100

    @Option(help: "The controller's address.")
    var url = "http://127.0.0.1:\(ProcessInfo.processInfo.environment["SILVASONIC_CONTROLLER_PORT"] ?? "9100")"

    @Option(help: "The API token (default: SILVASONIC_CONTROLLER_API_TOKEN).")
    var token = ProcessInfo.processInfo.environment["SILVASONIC_CONTROLLER_API_TOKEN"] ?? ""

    func run() async throws {
        let api = ControllerAPI(url: url, token: token.isEmpty ? nil : token)
        let name = self.name ?? ""
        let path = "/container/\(name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? name)"
        let answer = switch verb {
        case .start, .stop, .restart: try await api.send("POST", path + "/" + verb.rawValue)
        case .logs: try await api.send("GET", path + "/logs?tail=\(tail)")
        case .status: try await api.send("GET", path + "/status")
        case .standDown, .resume: try await api.send("POST", "/" + verb.rawValue, timeout: 60)
        }
        let what = verb.needsName ? "\(verb.rawValue) \(name)" : verb.rawValue
        guard (200..<300).contains(answer.status) else {
            FileHandle.standardError.write(Data("\(what): \(answer.message) (HTTP \(answer.status))\n".utf8))
            throw ExitCode(Self.exitCode(forStatus: answer.status))
        }
        switch (verb, answer.body) {
        case (.logs, .array(let lines)?):
            for line in lines { print(line.stringValue ?? "\(line)") }
        case (_, let body?):
            print(Self.render(body))
        case (_, nil):
            print("\(what): done")
        }
    }

    /// The exit status for an answer's HTTP status (see the command's help).
    static func exitCode(forStatus status: Int) -> Int32 {
        switch status {
        case 200..<300: 0
        case 404: 3
        case 401, 403: 4
        case 400..<500: 2
        default: 1
        }
    }

    /// A JSON answer as sorted `key: value` lines (an object), or as JSON.
    static func render(_ value: JSONValue) -> String {
        guard case .object(let fields) = value else { return value.compactText }
        return fields.keys.sorted().map { key in "\(key): \(fields[key].map { $0.stringValue ?? $0.compactText } ?? "null")" }
            .joined(separator: "\n")
    }
}

extension JSONValue {
    /// The value as compact JSON with sorted keys.
    var compactText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "\(self)"
    }
}

/// The operator API of a running controller, as the CLI reaches it.
struct ControllerAPI {
    struct Answer {
        var status: Int
        var body: JSONValue?
        /// The controller's own words for a refusal (`{"error": …}` in either shape it uses).
        var message: String {
            switch body?["error"] {
            case .string(let text)?: text
            case let error?: error["message"]?.stringValue ?? error.compactText
            case nil: body?.compactText ?? "no answer"
            }
        }
    }

    var url: String
    var token: String?

    /// No controller answered.
    struct Unreachable: Error {
        var message: String
    }

    /// Sends one request; a controller that does not answer exits 1 with one line saying so.
    func send(_ method: String, _ path: String, timeout: Double = 30) async throws -> Answer {
        do {
            return try await attempt(method, path, timeout: timeout)
        } catch let unreachable as Unreachable {
            FileHandle.standardError.write(Data((unreachable.message + "\n").utf8))
            throw ExitCode(1)
        }
    }

    /// Sends one request; ``Unreachable`` when no controller answers.
    func attempt(_ method: String, _ path: String, timeout: Double = 30) async throws -> Answer {
        guard let endpoint = URL(string: url + path) else { throw ValidationError("\(url) is not a URL") }
        var request = URLRequest(url: endpoint)
        request.httpMethod = method
        request.timeoutInterval = timeout
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        do {
            let (data, response) = try await URLSession.shared.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            return Answer(status: status, body: try? JSONDecoder().decode(JSONValue.self, from: data))
        } catch {
            throw Unreachable(message: "no controller answers at \(url) (\(error.localizedDescription)); "
                + "is it running? Set --url or SILVASONIC_CONTROLLER_PORT")
        }
    }
}
