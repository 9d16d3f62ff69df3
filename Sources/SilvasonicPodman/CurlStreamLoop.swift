import CCurl
import Foundation
import Synchronization

/// How a streaming request ended.
enum StreamEnd: Sendable {
    /// The server closed the stream after a 2xx answer.
    case finished
    /// The server answered with an error status; `body` is its message.
    case httpError(status: Int, body: [UInt8])
    /// No HTTP exchange (socket missing, refused, dropped): libcurl's reason.
    case failed(String)
    /// The consumer went away.
    case cancelled
}

/// The callbacks of one streaming request; all of them run on the loop's thread, in order:
/// `opened` once (for a 2xx answer), `data` for each chunk, `ended` exactly once.
struct StreamHandlers: Sendable {
    var opened: @Sendable () -> Void
    var data: @Sendable ([UInt8]) -> Void
    var ended: @Sendable (StreamEnd) -> Void
}

/// Runs every streaming request of a ``PodmanClient`` (log follows, the event stream) on one
/// thread, with libcurl's multi interface: the thread sleeps in `curl_multi_poll` until a socket
/// has data or ``cancel(_:)`` wakes it (`curl_multi_wakeup`), so an idle stream costs no CPU
/// and a cancelled one releases its curl handle at once.
final class CurlStreamLoop: Sendable {
    private let socketPath: String
    private let multi: MultiHandle
    private let pending = Mutex(Pending())

    private struct Pending: ~Copyable {
        var starts: [StreamTransfer] = []
        var cancels: [StreamTransfer] = []
        var shuttingDown = false
        var threadStarted = false
    }

    init(socketPath: String) {
        self.socketPath = socketPath
        self.multi = MultiHandle()
    }

    /// Starts a GET of `path` (with the API version prefix already in it).
    func start(path: String, handlers: StreamHandlers) -> StreamTransfer? {
        guard let transfer = StreamTransfer(socketPath: socketPath, path: path, handlers: handlers) else {
            handlers.ended(.failed("libcurl could not create a handle"))
            return nil
        }
        let startThread = pending.withLock { state -> Bool in
            state.starts.append(transfer)
            defer { state.threadStarted = true }
            return !state.threadStarted
        }
        if startThread {
            let thread = Thread { [self] in run() }
            thread.name = "silvasonic.podman.streams"
            thread.start()
        }
        multi.wakeup()
        return transfer
    }

    /// Stops a transfer; its `ended(.cancelled)` follows on the loop's thread.
    func cancel(_ transfer: StreamTransfer) {
        pending.withLock { $0.cancels.append(transfer) }
        multi.wakeup()
    }

    /// Cancels every transfer and ends the thread.
    func shutdown() {
        pending.withLock { $0.shuttingDown = true }
        multi.wakeup()
    }

    private func run() {
        var active: [UnsafeMutableRawPointer: StreamTransfer] = [:]
        while true {
            let (starts, cancels, stopping) = pending.withLock { state in
                defer { state.starts.removeAll(); state.cancels.removeAll() }
                return (state.starts, state.cancels, state.shuttingDown)
            }
            for transfer in starts {
                active[transfer.easy] = transfer
                multi.add(transfer)
            }
            for transfer in cancels where active.removeValue(forKey: transfer.easy) != nil {
                multi.remove(transfer)
                transfer.end(.cancelled)
            }
            if stopping {
                for transfer in active.values {
                    multi.remove(transfer)
                    transfer.end(.cancelled)
                }
                return
            }
            multi.perform()
            while let (easy, code) = multi.nextCompleted() {
                guard let transfer = active.removeValue(forKey: easy) else { continue }
                multi.remove(transfer)
                transfer.complete(code)
            }
            multi.poll(milliseconds: 60_000)
        }
    }
}

/// Owns the `CURLM` handle.
///
/// `@unchecked Sendable`: `curl_multi_wakeup` is documented as callable from any thread; every
/// other call on the handle is made only from the loop's one thread (`CurlStreamLoop.run`).
private final class MultiHandle: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer?

    init() {
        _ = curlGlobalInit
        handle = curl_multi_init()
    }

    deinit { curl_multi_cleanup(handle) }

    func wakeup() { curl_multi_wakeup(handle) }
    func add(_ transfer: StreamTransfer) { curl_multi_add_handle(handle, transfer.easy) }
    func remove(_ transfer: StreamTransfer) { curl_multi_remove_handle(handle, transfer.easy) }

    func perform() {
        var running: Int32 = 0
        curl_multi_perform(handle, &running)
    }

    func poll(milliseconds: Int32) {
        var ready: Int32 = 0
        curl_multi_poll(handle, nil, 0, milliseconds, &ready)
    }

    func nextCompleted() -> (UnsafeMutableRawPointer, CURLcode)? {
        var queued: Int32 = 0
        while let message = curl_multi_info_read(handle, &queued) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            return (easy, message.pointee.data.result)
        }
        return nil
    }
}
