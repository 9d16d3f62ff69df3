#if canImport(Glibc)
import Glibc
#endif

/// Reads a directory tree (sysfs, procfs, or a fixture laid out like them) without ever
/// leaving it: symbolic links are resolved by hand, an absolute target counts from the tree's
/// root, a target that climbs above the root is refused, and more than 40 links is a loop.
struct ConfinedTree: Sendable {
    /// Why a path could not be resolved.
    enum Failure: Error, Equatable, CustomStringConvertible {
        case escapesRoot(String)
        case linkLoop(String)
        case missing(String)

        var description: String {
            switch self {
            case .escapesRoot(let path): "\(path): a link leads outside the tree"
            case .linkLoop(let path): "\(path): too many levels of links"
            case .missing(let path): "\(path): no such file or directory"
            }
        }
    }

    let root: String

    /// The most bytes read from any one file.
    static let readLimit = 4096

    /// Resolves `path` (relative to the root) to its real components inside the root.
    func resolve(_ path: String) throws(Failure) -> [String] {
        var resolved: [String] = []
        var pending = Self.components(path)
        var links = 0
        while !pending.isEmpty {
            let component = pending.removeFirst()
            if component == "." { continue }
            if component == ".." {
                guard !resolved.isEmpty else { throw .escapesRoot(path) }
                resolved.removeLast()
                continue
            }
            let candidate = resolved + [component]
            let full = absolute(candidate)
            var info = stat()
            guard lstat(full, &info) == 0 else { throw .missing(path) }
            if (info.st_mode & S_IFMT) == S_IFLNK {
                links += 1
                guard links <= 40 else { throw .linkLoop(path) }
                guard let target = Self.readLink(full) else { throw .missing(path) }
                if target.hasPrefix("/") { resolved = [] }
                pending = Self.components(target) + pending
            } else {
                resolved = candidate
            }
        }
        return resolved
    }

    /// The bytes of a regular file (at most `limit`), not following a final link; `nil`
    /// when it is missing, not a regular file or unreadable.
    func read(_ components: [String], limit: Int = readLimit) -> [UInt8]? {
        let descriptor = open(absolute(components), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        var buffer = [UInt8](repeating: 0, count: limit)
        var total = 0
        while total < buffer.count {
            let count = buffer.withUnsafeMutableBytes { raw in
                Glibc.read(descriptor, raw.baseAddress! + total, raw.count - total)
            }
            if count <= 0 { break }
            total += count
        }
        return Array(buffer.prefix(total))
    }

    /// The target of a link inside the tree, as written; `nil` when it is not a link.
    func linkTarget(_ components: [String]) -> String? {
        Self.readLink(absolute(components))
    }

    func absolute(_ components: [String]) -> String {
        components.isEmpty ? root : root + "/" + components.joined(separator: "/")
    }

    static func components(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    private static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
