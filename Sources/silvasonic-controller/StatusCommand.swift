import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SilvasonicController
import SilvasonicIO

/// `silvasonic-controller status`: the running controller's supervision tree, from `/status`.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the running controller's supervision tree: states, restarts, failures.",
        discussion: """
            Reads GET /status of the controller on this machine (SILVASONIC_CONTROLLER_PORT, 9100).

            Examples:
              silvasonic-controller status
              silvasonic-controller status --watch
              silvasonic-controller status --json | jq '.children[] | select(.id == "devices")'
            """
    )

    @Option(help: "The controller's address.")
    var url = "http://127.0.0.1:\(ProcessInfo.processInfo.environment["SILVASONIC_CONTROLLER_PORT"] ?? "9100")"

    @Flag(help: "Print the JSON as the controller sends it.")
    var json = false

    @Flag(help: "Refresh every two seconds until Ctrl-C, with the time; waits for a controller that is not up.")
    var watch = false

    @Option(help: "The API token, needed when the controller has one (default: SILVASONIC_CONTROLLER_API_TOKEN).")
    var token = ProcessInfo.processInfo.environment["SILVASONIC_CONTROLLER_API_TOKEN"] ?? ""

    func run() async throws {
        let api = ControllerAPI(url: url, token: token.isEmpty ? nil : token)
        guard watch else {
            print(try await Self.render(api.send("GET", "/status", timeout: 10), url: url, json: json), terminator: "")
            return
        }
        // Watching: a controller that restarts (or is not up yet) is waited for, not given up on.
        while true {
            let text: String
            do {
                text = try await Self.render(api.attempt("GET", "/status", timeout: 10), url: url, json: json)
            } catch let unreachable as ControllerAPI.Unreachable {
                text = "waiting for the controller … \(unreachable.message)\n"
            }
            print("\u{1B}[2J\u{1B}[H\(Date().formatted(.iso8601))  (every 2 s, Ctrl-C to stop)\n\n\(text)", terminator: "")
            try await Task.sleep(for: .seconds(2))
        }
    }

    /// The tree as text (or JSON); a controller that answers but not with its tree exits 1.
    static func render(_ answer: ControllerAPI.Answer, url: String, json: Bool) throws -> String {
        guard answer.status == 200, let tree = answer.body else {
            FileHandle.standardError.write(Data("\(url)/status answered \(answer.status): \(answer.message)\n".utf8))
            throw ExitCode(1)
        }
        return json ? tree.compactText + "\n" : StatusTree.render(tree)
    }
}

