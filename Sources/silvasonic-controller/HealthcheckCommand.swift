import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SilvasonicController
import SilvasonicIO

/// `silvasonic-controller healthcheck`: exit 0 when the controller on this machine says it is
/// live (`GET /healthy`), 1 otherwise. For container and service health checks, which then need
/// no `curl` in the image.
struct HealthcheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthcheck",
        abstract: "Exit 0 when the running controller is live (GET /healthy), 1 otherwise.",
        discussion: """
            For the compose file's and the Containerfile's health checks. Prints the health report's \
            status (and, when not live, the components that are not healthy) on one line.
            """
    )

    @Option(help: "The controller's address.")
    var url = "http://127.0.0.1:\(ProcessInfo.processInfo.environment["SILVASONIC_CONTROLLER_PORT"] ?? "9100")"

    @Option(help: "Seconds to wait for the answer.")
    var timeout: Double = 5

    func run() async throws {
        guard let endpoint = URL(string: url + "/healthy") else { throw ValidationError("\(url) is not a URL") }
        var request = URLRequest(url: endpoint)
        request.timeoutInterval = timeout
        let report: JSONValue
        do {
            let (data, _) = try await URLSession.shared.data(for: request)
            report = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            print("not live: no controller answers at \(url) (\(error.localizedDescription))")
            throw ExitCode(1)
        }
        let status = report["status"]?.stringValue ?? "unknown"
        guard report["live"] == .bool(true) else {
            print("not live: \(status); \(Self.failing(report))")
            throw ExitCode(1)
        }
        print(status)
    }

    /// The components that are not healthy, with their details.
    static func failing(_ report: JSONValue) -> String {
        guard case .object? = report["components"] else { return "no components reported" }
        let failing = StatusTree.failingComponents(report)
        return failing.isEmpty ? "every component healthy" : failing.joined(separator: "; ")
    }
}
