import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ctrl-C (SIGINT) and SIGTERM stop a run cleanly: the signal only sets a flag; the readers check
/// it at every chunk they read and end the run with ``KvalitetError/Code/interrupted``, so the
/// normal error path removes every temporary output file and leaves earlier outputs as they were.
/// A second signal ends the process at once (the default action).
public enum Interruption {
    private static let flag = Atomic<Bool>(false)

    public static var isRequested: Bool { flag.load(ordering: .relaxed) }

    public static func request() { flag.store(true, ordering: .relaxed) }

    /// Throws when a stop was requested.
    public static func check(_ file: String) throws(KvalitetError) {
        if isRequested {
            throw KvalitetError(
                .interrupted, "interrupted while reading; nothing was written", nb: "avbrutt under lesing; ingenting ble skrevet",
                at: SourceLocation(file: file))
        }
    }

    /// Installs the handlers (the command-line tool does, once, before a run). Also ignores
    /// SIGXFSZ, so an output beyond the file-size limit is a write error with a message rather
    /// than a silent kill.
    public static func installSignalHandlers() {
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber) { received in
                Interruption.request()
                signal(received, SIG_DFL)
            }
            sigaddset(&unblock, signalNumber)
        }
        // A parent may start us with these blocked (they are inherited); we want them delivered.
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        signal(SIGXFSZ, SIG_IGN)
    }
}
