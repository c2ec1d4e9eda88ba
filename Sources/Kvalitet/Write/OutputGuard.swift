import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Refuses, before anything is read, an output that would replace something the run reads or
/// another output of the same run: `score --output in.csv in.csv` must not turn the export into
/// scores. Files are compared by device and inode, so `./in.csv`, `data/../in.csv`, a hard link
/// or a symbolic link to the input are the same file.
public struct OutputGuard {
    /// A file the run reads: the role names it in the message ("an input", "the register").
    public struct Protected {
        public var role: String
        public var path: String
        /// The role in bokmål, for the roles the jobs name.
        var norwegianRole: String {
            let roles = [
                "an input": "en inndatafil", "a file in an input folder": "en fil i en inndatamappe",
                "the register": "registeret", "a set definition": "en skjemadefinisjon",
                "the results store": "resultatlageret", "the reference": "referansen",
            ]
            return roles[role] ?? role
        }

        public init(role: String, path: String) {
            self.role = role
            self.path = path
        }
    }

    /// The outputs by option (`--output`, `--rejects`) and path.
    public var outputs: [(option: String, path: String)] = []
    /// Files the run reads.
    public var protected: [Protected] = []
    /// Folders the run lists for inputs, and the names their listing would take.
    public var inputFolders: [String] = []
    public var readsName: (String) -> Bool = { _ in false }

    public init() {}

    struct Identity: Hashable {
        var device: UInt64
        var inode: UInt64

        /// The file at `path` after following links, or nil when there is none.
        init?(_ path: String) {
            var status = stat()
            guard stat(path, &status) == 0 else { return nil }
            device = UInt64(status.st_dev)
            inode = UInt64(status.st_ino)
        }
    }

    /// Throws a usage error naming the output and what it would replace.
    public func check() throws(KvalitetError) {
        var seen: [String: String] = [:]  // "-" or identity → option
        for (option, path) in outputs {
            if path == "-" {
                if let other = seen["-"] {
                    throw KvalitetError(
                        .usage, "\(option) - and \(other) - would both write to standard output",
                        nb: "\(option) - og \(other) - ville begge skrive til standard utdata")
                }
                seen["-"] = option
                continue
            }
            // Special files (a terminal, /dev/null, a FIFO) are written into, never replaced, and
            // several outputs may share one.
            var status = stat()
            if stat(path, &status) == 0 && (status.st_mode & S_IFMT) != S_IFREG { continue }
            if let identity = Identity(path) {
                for file in protected where Identity(file.path) == identity {
                    throw KvalitetError(
                        .usage,
                        "\(option) \(path) is \(file.role) \(file.path): the run would replace what it reads (write the output elsewhere)",
                        nb:
                            "\(option) \(path) er \(file.norwegianRole) \(file.path): kjøringen ville erstatte det den leser (skriv resultatet et annet sted)"
                    )
                }
                let key = "\(identity.device):\(identity.inode)"
                if let other = seen[key] {
                    throw KvalitetError(
                        .usage, "\(option) and \(other) name the same file \(path): one would replace the other",
                        nb: "\(option) og \(other) peker på samme fil \(path): den ene ville erstatte den andre")
                }
                seen[key] = option
            } else {
                let key = "new:" + Self.absolute(path)
                if let other = seen[key] {
                    throw KvalitetError(
                        .usage, "\(option) and \(other) name the same file \(path): one would replace the other",
                        nb: "\(option) og \(other) peker på samme fil \(path): den ene ville erstatte den andre")
                }
                seen[key] = option
            }
            // An output landing in a folder the run lists would be read as input by the next run.
            let name = (path as NSString).lastPathComponent
            let parent = (path as NSString).deletingLastPathComponent
            if readsName(name), let parentIdentity = Identity(parent.isEmpty ? "." : parent),
                let folder = inputFolders.first(where: { Identity($0) == parentIdentity })
            {
                throw KvalitetError(
                    .usage,
                    "\(option) \(path) lies in the input folder \(folder): the next run would read it as responses (write it elsewhere)",
                    nb:
                        "\(option) \(path) ligger i inndatamappen \(folder): neste kjøring ville lese den som svar (skriv den et annet sted)"
                )
            }
        }
    }

    static func absolute(_ path: String) -> String {
        let full = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return URL(fileURLWithPath: full).standardizedFileURL.path
    }
}
