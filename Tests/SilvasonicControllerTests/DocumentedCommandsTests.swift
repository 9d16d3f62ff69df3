import Foundation
import SilvasonicController
import SilvasonicIO
import TestSupport
import Testing

/// A command line as the README, `docs/` or a command's own help shows it.
struct DocumentedCommand: Hashable, CustomStringConvertible {
    /// The line as typed (its comment removed).
    var line: String
    /// Where it is shown (`README.md:136`, `help: status`).
    var source: String

    var description: String { "\(source): \(line)" }

    /// Its subcommand (`run`, `ctl`, ...; `""` for the root's own options).
    var subcommand: String {
        let words = line.split(separator: " ").drop { $0.contains("=") && $0.first?.isUppercase == true }
        let after = words.dropFirst()
        return after.first.map { $0.hasPrefix("-") ? "" : String($0) } ?? ""
    }

    /// Runs until stopped: `run`, `status --watch`.
    var runsUntilStopped: Bool { subcommand == "run" || line.contains("--watch") }

    static let program = "silvasonic-controller"

    /// Whether `text` is a command line of the program: optional `KEY=value` words, then it.
    static func isCommand(_ text: String) -> Bool {
        let words = text.split(separator: " ").drop { $0.contains("=") && $0.first?.isUppercase == true }
        return words.first == Substring(program)
    }

    /// Every command line in the `sh` blocks and inline code spans of `markdown`.
    static func lines(inMarkdown markdown: String, file: String) -> [DocumentedCommand] {
        var found: [DocumentedCommand] = []
        var block: String?
        for (number, raw) in markdown.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            if line.hasPrefix("```") {
                block = block == nil ? String(line.dropFirst(3)) : nil
                continue
            }
            let source = "\(file):\(number + 1)"
            if let block {
                guard block == "sh" else { continue }
                let command = (line.range(of: " #").map { String(line[..<$0.lowerBound]) } ?? line)
                    .trimmingCharacters(in: .whitespaces)
                if isCommand(command) { found.append(DocumentedCommand(line: command, source: source)) }
            } else {
                let spans = line.split(separator: "`", omittingEmptySubsequences: false)
                for (index, span) in spans.enumerated() where index % 2 == 1 && isCommand(String(span)) {
                    found.append(DocumentedCommand(line: String(span), source: source))
                }
            }
        }
        return found
    }

    /// The examples in each command's help (`--experimental-dump-help`, unwrapped).
    static func lines(inHelp json: JSONValue, path: String = "") -> [DocumentedCommand] {
        var found: [DocumentedCommand] = []
        let name = json["commandName"]?.stringValue ?? ""
        let here = path.isEmpty ? name : path + " " + name
        for line in (json["discussion"]?.stringValue ?? "").split(separator: "\n") {
            let text = line.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix(" "), isCommand(text) { found.append(DocumentedCommand(line: text, source: "help: \(here)")) }
        }
        if case .array(let subcommands)? = json["subcommands"] {
            for subcommand in subcommands { found += lines(inHelp: subcommand, path: here) }
        }
        return found
    }
}

extension ControllerProcessTests {
    /// The README's and docs' command lines, and the help's examples, each once (the first place it is shown).
    static func documentedCommands() async throws -> [DocumentedCommand] {
        let root = ScratchServer.repositoryRoot
        var all: [DocumentedCommand] = []
        let docs = try FileManager.default.contentsOfDirectory(atPath: root + "/docs").filter { $0.hasSuffix(".md") }.sorted()
        for file in ["README.md"] + docs.map({ "docs/" + $0 }) {
            all += DocumentedCommand.lines(inMarkdown: try String(contentsOfFile: root + "/" + file, encoding: .utf8), file: file)
        }
        let dump = try await cli(["--experimental-dump-help"], [:])
        let help = try JSONDecoder().decode(JSONValue.self, from: Data(dump.output.utf8))
        all += DocumentedCommand.lines(inHelp: try #require(help["command"]))
        var seen: Set<String> = []
        return all.filter { seen.insert($0.line).inserted }
    }

    /// Runs `command` as typed, in a shell in the repository (so `./profiles` and pipes work),
    /// with the program on the PATH and the placeholders filled in.
    static func start(_ command: DocumentedCommand, _ environment: [String: String],
                      placeholders: [String: String]) throws -> RunningProcess {
        // Word by word: `NAME`, and a `KEY=...` whose value the docs leave out.
        let line = command.line.split(separator: " ").map { word -> String in
            if let value = placeholders[String(word)] { return value }
            if word.hasSuffix("=..."), let value = placeholders["..."] { return word.dropLast(3) + value }
            return String(word)
        }.joined(separator: " ")
        let directory = (binary as NSString).deletingLastPathComponent
        var environment = environment
        environment["PATH"] = directory + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        // `exec env`: a command that runs until stopped is the process that gets the signal.
        let shell = line.contains("|") ? line : "exec env " + line
        return try RunningProcess("/bin/sh", ["-c", "cd '\(ScratchServer.repositoryRoot)' && \(shell)"], environment: environment)
    }

    /// Runs `command` to its end; its status and output.
    static func finish(_ command: DocumentedCommand, _ environment: [String: String],
                       placeholders: [String: String]) async throws -> (status: Int32, output: String) {
        let process = try start(command, environment, placeholders: placeholders)
        var lines = process.lines.makeAsyncIterator()
        let output = await collect(&lines).joined(separator: "\n")
        return (await process.waitForExit(), output)
    }

    /// Starts a command that runs until stopped and reads until `ready` is said; the process,
    /// its output from there, and the line that said it.
    static func runUntil(_ ready: String, _ command: DocumentedCommand, _ environment: [String: String],
                         placeholders: [String: String]) async throws
        -> (process: RunningProcess, output: AsyncStream<String>.Iterator, said: String) {
        let process = try start(command, environment, placeholders: placeholders)
        var lines = process.lines.makeAsyncIterator()
        var before: [String] = []
        while let line = await lines.next() {
            if line.contains(ready) { return (process, lines, line) }
            before.append(line)
        }
        Issue.record("\(command): ended (\(await process.waitForExit())) without saying \(ready): \(before.suffix(20))")
        return (process, lines, "")
    }

    @Test("Every command line the README, docs/ and the help show runs as typed against the built binary, on the test station, and says what the docs show")
    func documentedCommandLines() async throws {
        let commands = try await Self.documentedCommands()
        // The docs show these; a line of each must be found, or the extraction is broken.
        let subcommands = Set(commands.map(\.subcommand))
        for expected in ["", "run", "check", "scan", "status", "ctl", "healthcheck", "down", "simulate"] {
            #expect(subcommands.contains(expected), "no documented line of `\(expected)`: \(commands)")
        }
        var (stage, events) = try await Self.plugged()
        // BirdNET on (`ctl status silvasonic-birdnet` is shown), with the test image under its name.
        let podmanCLI = try TestServices.require("SILVASONIC_DEV_PODMAN")
        let birdnetImage = "localhost/silvasonic_birdnet:latest"
        let existing = try await Subprocess.run(podmanCLI, ["image", "exists", birdnetImage])
        if existing.status != 0 {
            _ = try await Subprocess.run(podmanCLI, ["tag", try TestServices.require("SILVASONIC_TEST_IMAGE"), birdnetImage])
        }
        try Data("managed_services:\n  birdnet: true\nsystem_config:\n  system:\n    max_recorders: null\n".utf8)
            .write(to: URL(fileURLWithPath: stage.workspace + "/overrides.yml"))
        let token = "docs-\(UInt32.random(in: 0...UInt32.max))"
        var environment = stage.environment
        environment["SILVASONIC_CONTROLLER_API_TOKEN"] = token
        let placeholders = ["NAME": "silvasonic-recorder-ultramic-384-evo-034f", "...": token]
        var ran: [String] = []

        // What needs no running controller: help, version, scan, check, simulate (on the real
        // backends too, with no recorder limit, as it asks of a scratch station).
        for command in commands where !["run", "status", "ctl", "healthcheck", "down"].contains(command.subcommand) {
            let result = try await Self.finish(command, environment, placeholders: placeholders)
            #expect(result.status == 0, "\(command) → \(result.status): \(result.output.suffix(600))")
            ran.append(command.line)
            if command.line.hasSuffix(" scan") {
                // README: "a table: id, card, name, VID:PID, serial, bus path, ALSA device".
                let header = result.output.split(separator: "\n").first.map(String.init) ?? ""
                for column in ["ID", "CARD", "NAME", "VID:PID", "SERIAL", "BUS", "ALSA"] {
                    #expect(header.uppercased().contains(column), "\(command): the table's header \(header)")
                }
            }
            if command.line.hasSuffix("--version") { #expect(result.output == ControllerVersion.current) }
        }

        // A controller as the docs start it; the commands that talk to it, each as typed.
        let runs = commands.filter { $0.subcommand == "run" }
        let plain = try #require(runs.first { $0.line == "silvasonic-controller run" })
        let (controller, _, listening) = try await Self.runUntil("HTTP listening", plain, environment, placeholders: placeholders)
        let port = try #require(listening.split(separator: " ").first { $0.hasPrefix("port=") }.flatMap { Int($0.dropFirst(5)) })
        environment["SILVASONIC_CONTROLLER_PORT"] = String(port)
        // The recorder and the worker the docs' lines name, both running.
        var running: Set<String> = []
        while running.count < 2, let started = await Self.next(.start, in: &events) {
            if ["silvasonic-birdnet", "silvasonic-recorder-ultramic-384-evo-034f"].contains(started.name) { running.insert(started.name) }
        }
        let talking = commands.filter { ["status", "ctl", "healthcheck"].contains($0.subcommand) }
            + commands.filter { $0.subcommand == "down" && $0.line.contains("--force") }
        for command in talking {
            if command.runsUntilStopped {
                let (watcher, _, _) = try await Self.runUntil("controller", command, environment, placeholders: placeholders)
                watcher.send(SIGTERM)
                #expect([0, 128 + SIGTERM].contains(await watcher.waitForExit()), "\(command)")
            } else {
                let result = try await Self.finish(command, environment, placeholders: placeholders)
                #expect(result.status == 0, "\(command) → \(result.status): \(result.output.suffix(600))")
                if command.line == "silvasonic-controller status" { try Self.expectTreeAsDocumented(result.output) }
            }
            ran.append(command.line)
        }
        controller.send(SIGTERM)
        #expect(await controller.waitForExit() == 0, "\(plain)")
        ran.append(plain.line)

        // The other ways to run it, each until healthy, then SIGTERM; then `down` with nothing running.
        for command in runs where command != plain {
            let (other, _, _) = try await Self.runUntil("healthy:", command, environment, placeholders: placeholders)
            other.send(SIGTERM)
            #expect(await other.waitForExit() == 0, "\(command)")
            ran.append(command.line)
        }
        for command in commands where command.subcommand == "down" && !command.line.contains("--force") {
            let result = try await Self.finish(command, environment, placeholders: placeholders)
            #expect(result.status == 0, "\(command) → \(result.status): \(result.output.suffix(600))")
            ran.append(command.line)
        }
        #expect(Set(ran) == Set(commands.map(\.line)), "every documented line ran")
        try await stage.tearDown()
        if existing.status != 0 { _ = try await Subprocess.run(podmanCLI, ["rmi", birdnetImage]) }
    }

    /// `status` prints the root's children that `docs/controller.md`'s tree shows, in its order.
    static func expectTreeAsDocumented(_ printed: String) throws {
        let doc = try String(contentsOfFile: ScratchServer.repositoryRoot + "/docs/controller.md", encoding: .utf8)
        func children(_ text: String) -> [String] {
            text.split(separator: "\n").compactMap { (line: Substring) -> String? in
                guard line.hasPrefix("├─ ") || line.hasPrefix("└─ ") else { return nil }
                return String(line).dropFirst(3).split(separator: " ").first.map(String.init)
            }
        }
        let tree = doc.components(separatedBy: "```\n").dropFirst().first ?? ""
        #expect(printed.hasPrefix("controller  "), "\(printed)")
        #expect(children(printed) == children(tree), "status prints \(children(printed)); docs/controller.md draws \(children(tree))")
    }
}
