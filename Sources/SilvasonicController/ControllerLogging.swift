import Foundation
package import Logging
import Synchronization

/// The level every controller logger follows, changed at run time: verbose (`debug` or `info`)
/// during start-up, `notice` afterwards, when periodic summaries take over from the routine
/// messages. Warnings and errors always pass.
package final class LogVerbosity: Sendable {
    private let current: Mutex<Logger.Level>

    public init(_ level: Logger.Level = .info) {
        current = Mutex(level)
    }

    package var level: Logger.Level {
        get { current.withLock { $0 } }
    }

    public func set(_ level: Logger.Level) { current.withLock { $0 = level } }
}

/// One JSON object per line, as Silvasonic's Python services log with structlog: `timestamp`,
/// `level`, `logger`, `event` (the message) and the metadata as strings.
package struct JSONLinesLogHandler: LogHandler {
    package var metadata: Logger.Metadata = [:]
    package var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let verbosity: LogVerbosity
    private let write: @Sendable (String) -> Void

    /// - Parameter write: where each line goes (standard error by default).
    public init(label: String, verbosity: LogVerbosity,
                write: @escaping @Sendable (String) -> Void = JSONLinesLogHandler.standardError) {
        self.label = label
        self.verbosity = verbosity
        self.write = write
    }

    package var logLevel: Logger.Level {
        get { verbosity.level }
        set {}  // The shared verbosity decides.
    }

    /// Writes a line to standard error.
    package static let standardError: @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: String] = [:]
        let merged = metadata.merging(metadataProvider?.get() ?? [:]) { $1 }.merging(event.metadata ?? [:]) { $1 }
        for (key, value) in merged { fields[key] = "\(value)" }
        fields["timestamp"] = Self.timestamp(Date())
        fields["level"] = event.level == .warning ? "warning" : "\(event.level)"
        fields["logger"] = label
        fields["event"] = "\(event.message)"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(fields) else { return }
        write(String(decoding: data, as: UTF8.self) + "\n")
    }

    /// `2026-02-23T03:15:42.123+00:00`.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date).replacingOccurrences(of: "Z", with: "+00:00")
    }
}

/// A readable console line handler that follows a ``LogVerbosity``.
package struct ConsoleLogHandler: LogHandler {
    private var inner: StreamLogHandler
    private let verbosity: LogVerbosity

    public init(label: String, verbosity: LogVerbosity) {
        inner = StreamLogHandler.standardError(label: label)
        self.verbosity = verbosity
    }

    package var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    package var logLevel: Logger.Level {
        get { verbosity.level }
        set {}
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    public func log(event: LogEvent) {
        inner.log(event: event)
    }
}
