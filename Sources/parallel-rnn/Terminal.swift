#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Where the command writes: results on stdout, errors and progress on stderr.
enum Terminal {
    /// Whether stderr is a terminal (progress is shown only then).
    static let stderrIsTerminal = isatty(STDERR_FILENO) != 0

    /// Writes one `error: …` line to stderr.
    static func error(_ message: String) {
        writeStderr("error: \(message)\n")
    }

    /// Writes a note line to stderr.
    static func note(_ message: String) {
        writeStderr("note: \(message)\n")
    }

    /// A transient progress line on stderr, only when it is a terminal (cleared by ``clearProgress()``).
    static func progress(_ message: String) {
        guard stderrIsTerminal else { return }
        writeStderr("\r\u{1B}[2K" + message)
    }

    static func clearProgress() {
        guard stderrIsTerminal else { return }
        writeStderr("\r\u{1B}[2K")
    }

    /// Writes to stderr; a failure is ignored (there is nowhere left to report it).
    static func writeStderr(_ s: String) {
        try? FileHandle.standardError.write(contentsOf: Data(s.utf8))
    }

    /// Prints a line to stdout and flushes (JSON lines are consumed by pipes). When stdout cannot be written (a full
    /// disk, a closed descriptor), says so on stderr and exits with status 1: the results would be lost.
    static func output(_ line: String) {
        do {
            try FileHandle.standardOutput.write(contentsOf: Data((line + "\n").utf8))
        } catch {
            writeStderr("error: standard output cannot be written (\(error.localizedDescription))\n")
            exit(1)
        }
    }
}
