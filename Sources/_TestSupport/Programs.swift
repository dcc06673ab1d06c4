import Foundation

/// What a program run by ``Programs`` wrote and how it ended.
public struct ProgramOutput: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public init(status: Int32, stdout: String, stderr: String) {
        (self.status, self.stdout, self.stderr) = (status, stdout, stderr)
    }
}

/// Running programs from tests: the `keras-port` binary, system tools, and the repository's Python tools
/// (`tools/*.py`) in the pinned venv (`tools/.venv`, made by tools/setup_venv.sh).
public enum Programs {
    /// `tools/.venv/bin/python`.
    public static let venvPythonPath = TestFixtures.repositoryRoot.appendingPathComponent("tools/.venv/bin/python").path

    /// The venv's python when it exists and is executable, else `nil`.
    public static var venvPython: String? {
        FileManager.default.isExecutableFile(atPath: venvPythonPath) ? venvPythonPath : nil
    }

    /// The venv's python when it exists and `python -c code` exits with 0 (e.g. `import torch, safetensors`), else
    /// `nil`; its output is discarded.
    public static func venvPython(running code: String) -> String? {
        guard let python = venvPython else { return nil }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", code]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return nil }
        p.waitUntilExit()
        return p.terminationStatus == 0 ? python : nil
    }

    /// Runs `executable` with `arguments`, `environment` added to this process's (when not empty), in `directory`
    /// (when given); its standard output and error read separately.
    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                           in directory: URL? = nil) throws -> ProgramOutput {
        let p = process(executable, arguments, environment, directory)
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return ProgramOutput(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                             stderr: String(decoding: e, as: UTF8.self))
    }

    /// Runs `executable` with `arguments` (and `environment` added to this process's); its exit status and its
    /// standard output and error combined into one text, in the order written.
    public static func runCombined(_ executable: String, _ arguments: [String],
                                   environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let p = process(URL(fileURLWithPath: executable), arguments, environment, nil)
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Runs `tools/<script>` of the repository with `python` (the venv's by default) and `arguments`, `environment`
    /// added to this process's; its exit status and combined output.
    public static func runTool(_ script: String, _ arguments: [String], python: String = venvPythonPath,
                               environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        try runCombined(python, [TestFixtures.repositoryRoot.appendingPathComponent("tools/\(script)").path] + arguments,
                        environment: environment)
    }

    private static func process(_ executable: URL, _ arguments: [String], _ environment: [String: String],
                                _ directory: URL?) -> Process {
        let p = Process()
        p.executableURL = executable
        p.arguments = arguments
        if !environment.isEmpty {
            p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let directory { p.currentDirectoryURL = directory }
        return p
    }
}
