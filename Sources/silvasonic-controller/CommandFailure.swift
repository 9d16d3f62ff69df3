import ArgumentParser
import Foundation

/// Settings the command cannot use (a bad URL, a value out of range): one line, exit 78
/// (`EX_CONFIG`), never the usage banner, which is for mistakes in the command line itself.
struct ConfigurationProblem: Error, CustomStringConvertible {
    var description: String
}

extension SilvasonicControllerCommand {
    /// Parses the command line and runs the command. A mistake in the command line gets
    /// ArgumentParser's message and usage (64); a failure while running gets one line on stderr
    /// and exit 1, or 78 for settings the command cannot use.
    static func main() async {
        let parsed: any ParsableCommand
        do {
            parsed = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        // ArgumentParser's own commands (`help`, `--help`, `-h` of any subcommand) signal their
        // output by throwing: its own exit prints the help and exits 0.
        let ours = ([Self.self] + Self.configuration.subcommands).contains { ObjectIdentifier($0) == ObjectIdentifier(type(of: parsed)) }
        guard ours else {
            var command = parsed
            do { try command.run() } catch { exit(withError: error) }
            exit()
        }
        do {
            if var command = parsed as? any AsyncParsableCommand {
                try await command.run()
            } else {
                var command = parsed
                try command.run()
            }
        } catch let configuration as ConfigurationProblem {
            FileHandle.standardError.write(Data("error: \(configuration.description)\n".utf8))
            Foundation.exit(78)
        } catch let error where error is ExitCode || error is CleanExit || error is ValidationError {
            exit(withError: error)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            Foundation.exit(1)
        }
    }
}
