import ArgumentParser
import Foundation
import KerasPort
import KerasPortTooling

extension KerasPortCommand {
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a model's format, layers, shapes, parameters and activation alphas.",
            discussion: """
                Reads only the weights' shapes, and the PReLU alphas; big files open in a fraction of a second. \
                For untrusted files, --isolate reads the file in a child process: libhdf5 can crash on some \
                corrupted files, and this turns such a crash into a one-line error.
                """)

        @OptionGroup var model: ModelOptions

        @Flag(name: .long, help: "Print JSON (schema in the README) instead of text.")
        var json = false

        @Flag(name: .long, help: "List every alpha value (per channel) of each PReLU.")
        var alphas = false

        @Flag(name: .long, help: "Read the file in a child process; a crash or hang there becomes a one-line error.")
        var isolate = false

        @Option(name: .long, help: "With --isolate: seconds before the child is stopped.")
        var isolateTimeout: Double = 60

        func run() throws {
            if InspectSafetensors.isSafetensors(model.model) {
                // A PyTorch export's weights (no HDF5 involved): list the tensors.
                print(json ? try InspectSafetensors.json(path: model.model) : try InspectSafetensors.text(path: model.model),
                      terminator: json ? "\n" : "")
                return
            }
            if isolate {
                var arguments = ["inspect", model.model]
                if let config = model.config { arguments += ["--config", config] }
                if json { arguments.append("--json") }
                if alphas { arguments.append("--alphas") }
                try IsolatedRun.run(arguments, file: model.model, timeout: isolateTimeout)
                return
            }
            let file = try KerasFile.open(model.model, architecture: model.config)
            let report = try ModelReport(file: file, includeAlphaValues: alphas)
            if json {
                print(report.json(alphas: alphas).serialized(pretty: true))
            } else {
                print(report.text(alphas: alphas), terminator: "")
            }
        }
    }
}

/// Runs this executable again in a child process and relays its output, so that a crash or hang while reading a
/// hostile file is reported as an error naming the file instead of killing the calling process.
enum IsolatedRun {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func run(_ arguments: [String], file: String, timeout: Double) throws {
        let child = Process()
        #if os(Linux)
        child.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        #else
        child.executableURL = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        #endif
        child.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"  // the crash report is not shown; don't spend time making it
        child.environment = environment
        let output = Pipe(), errors = Pipe()
        child.standardOutput = output
        child.standardError = errors
        child.standardInput = FileHandle.nullDevice
        do {
            try child.run()
        } catch {
            throw Failure(description: "\(file): cannot start a child process to read the file (\(error))")
        }
        let timedOut = Flag()
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + timeout)
        timer.setEventHandler {
            timedOut.set()
            kill(child.processIdentifier, SIGKILL)
        }
        timer.resume()
        // Drain both pipes while the child runs (a full pipe would block it).
        let stdoutData = Box()
        let reading = DispatchGroup()
        DispatchQueue.global().async(group: reading) { stdoutData.set(output.fileHandleForReading.readDataToEndOfFile()) }
        let stderrData = errors.fileHandleForReading.readDataToEndOfFile()
        reading.wait()
        child.waitUntilExit()
        timer.cancel()

        if timedOut.isSet {
            throw Failure(description: "\(file): reading the file did not finish within \(Int(timeout)) s (stopped; the file is damaged or hostile)")
        }
        switch child.terminationReason {
        case .exit:
            FileHandle.standardOutput.write(stdoutData.get())
            if child.terminationStatus != 0 {
                FileHandle.standardError.write(stderrData)
                throw ExitCode(child.terminationStatus)
            }
        case .uncaughtSignal:
            let signal = child.terminationStatus
            let name = signalName(signal)
            throw Failure(description: "\(file): reading the file crashed the reader (signal \(signal)\(name.map { ", \($0)" } ?? "")); the file is damaged or hostile — the crash was contained in a child process")
        @unknown default:
            throw Failure(description: "\(file): the child process reading the file ended abnormally")
        }
    }

    /// A lock-protected flag and data box, shared with the timer and the reader.
    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        func set() { lock.withLock { value = true } }
        var isSet: Bool { lock.withLock { value } }
    }

    final class Box: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func set(_ d: Data) { lock.withLock { data = d } }
        func get() -> Data { lock.withLock { data } }
    }

    static func signalName(_ signal: Int32) -> String? {
        switch signal {
        case SIGSEGV: return "SIGSEGV"
        case SIGBUS: return "SIGBUS"
        case SIGILL: return "SIGILL"
        case SIGTRAP: return "SIGTRAP"
        case SIGABRT: return "SIGABRT"
        case SIGFPE: return "SIGFPE"
        case SIGKILL: return "SIGKILL"
        default: return nil
        }
    }
}
