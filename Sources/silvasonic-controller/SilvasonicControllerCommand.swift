import ArgumentParser
import SilvasonicController

/// The `silvasonic-controller` command line.
@main
struct SilvasonicControllerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "silvasonic-controller",
        abstract: "The Silvasonic controller: keeps one recorder container running per USB microphone.",
        discussion: """
            A drop-in for the controller of Silvasonic 0.8: same database, Redis channels, container \
            names, labels and environment. Settings come from SILVASONIC_* environment variables.
            """,
        version: ControllerVersion.current,
        subcommands: [RunCommand.self, CheckCommand.self, ScanCommand.self, StatusCommand.self, CtlCommand.self, HealthcheckCommand.self,
                      DownCommand.self, SimulateCommand.self]
    )
}
