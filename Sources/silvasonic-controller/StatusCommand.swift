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

    @Flag(help: "Refresh every two seconds until Ctrl-C.")
    var watch = false

    func run() async throws {
        repeat {
            let text: String
            do {
                let (data, response) = try await URLSession.shared.data(from: try endpoint("/status"))
                guard (response as? HTTPURLResponse)?.statusCode == 200 else {
                    throw Refusal(message: "\(url)/status answered \((response as? HTTPURLResponse)?.statusCode ?? 0)")
                }
                if json {
                    text = String(decoding: data, as: UTF8.self) + "\n"
                } else {
                    text = StatusTree.render(try JSONDecoder().decode(JSONValue.self, from: data))
                }
            } catch let refusal as Refusal {
                FileHandle.standardError.write(Data((refusal.message + "\n").utf8))
                throw ExitCode(1)
            } catch {
                FileHandle.standardError.write(Data(("no controller answers at \(url) (\(error.localizedDescription)); "
                                                     + "is it running? Set --url or SILVASONIC_CONTROLLER_PORT\n").utf8))
                throw ExitCode(1)
            }
            if watch { print("\u{1B}[2J\u{1B}[H", terminator: "") }
            print(text, terminator: "")
            if watch { try await Task.sleep(for: .seconds(2)) }
        } while watch
    }

    func endpoint(_ path: String) throws -> URL {
        guard let url = URL(string: url + path) else { throw ValidationError("\(url) is not a URL") }
        return url
    }
}

/// A controller that answered, but not with its tree.
struct Refusal: Error {
    var message: String
}
