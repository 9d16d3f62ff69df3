import SilvasonicIO

/// One connection of ``PodmanClient``'s pool: a libcurl easy handle behind its own serial
/// executor, so that its blocking requests hold that executor's thread, never one of the
/// cooperative pool's. The handle never leaves it; a request after a broken one opens the
/// socket anew, so a restarted Podman service is simply reached again.
actor PodmanConnection {
    private let executor: QueueExecutor
    private let socketPath: String
    private var transport: CurlTransport?

    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    init(socketPath: String, number: Int) {
        self.socketPath = socketPath
        executor = QueueExecutor(label: "silvasonic.podman.\(number)")
    }

    /// Performs one request; HTTP errors are returned, not thrown.
    /// - Throws: ``PodmanError`` `unreachable` when no HTTP answer came.
    func perform(method: String, path: String, body: [UInt8]?, timeoutMilliseconds: Int) throws -> HTTPResponse {
        let transport = try self.transport ?? CurlTransport(socketPath: socketPath)
        self.transport = transport
        return try transport.perform(method: method, path: path, body: body, timeoutMilliseconds: timeoutMilliseconds)
    }
}
