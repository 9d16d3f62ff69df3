import Synchronization

extension PodmanClient {
    /// Runs one streaming GET on the stream loop until the server ends it.
    ///
    /// Returns when the stream finishes normally; throws ``PodmanError`` for an error answer or a
    /// lost socket, and `CancellationError` when the calling task is cancelled (the transfer is
    /// stopped and its curl handle released at once).
    /// - Parameters:
    ///   - path: the path below the API version, with its query.
    ///   - opened: called once the server answered 2xx.
    ///   - data: called with each chunk of the body, on the stream loop's thread.
    func stream(_ path: String, opened: @escaping @Sendable () -> Void,
                            data: @escaping @Sendable ([UInt8]) -> Void) async throws {
        let fullPath = "/\(configuration.apiVersion)\(path)"
        let running = Mutex<StreamTransfer?>(nil)
        let loop = streams
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let handlers = StreamHandlers(opened: opened, data: data, ended: { end in
                    switch end {
                    case .finished:
                        continuation.resume()
                    case .cancelled:
                        continuation.resume(throwing: CancellationError())
                    case .failed(let reason):
                        continuation.resume(throwing: PodmanError(code: .unreachable, message: "\(reason) (\(path))"))
                    case .httpError(let status, let body):
                        continuation.resume(throwing: PodmanError(response: HTTPResponse(status: status, body: body), what: path)
                            ?? PodmanError(code: .requestFailed, message: path, status: status))
                    }
                })
                let transfer = loop.start(path: fullPath, handlers: handlers)
                running.withLock { $0 = transfer }
                if Task.isCancelled, let transfer { loop.cancel(transfer) }
            }
        } onCancel: {
            if let transfer = running.withLock({ $0 }) { loop.cancel(transfer) }
        }
    }
}
