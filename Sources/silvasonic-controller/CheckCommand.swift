import ArgumentParser
import Foundation
import SilvasonicController

/// `silvasonic-controller check`: is this station ready to run?
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the settings, the profile and defaults files, and reach each backend.",
        discussion: """
            One line per finding; each PROBLEM line says what to do. Exit status 0 when everything \
            is in order, 1 when something is not.

            Examples:
              silvasonic-controller check
              SILVASONIC_PROFILES_DIR=./profiles silvasonic-controller check
            """
    )

    @Option(help: "Seconds each backend gets to answer.")
    var timeout: Double = 5

    func run() async throws {
        let lines = await StationCheck.run(environment: ProcessInfo.processInfo.environment,
                                           timeout: .milliseconds(Int64(max(0.1, timeout) * 1000)))
        for line in lines { print(line) }
        let problems = lines.filter { !$0.ok }.count
        print(problems == 0 ? "ready" : "\(problems) problem(s)")
        if problems > 0 { throw ExitCode(1) }
    }
}
