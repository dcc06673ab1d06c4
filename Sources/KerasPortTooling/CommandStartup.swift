import TensorModule

/// What the `keras-port` command does first, before it parses its arguments.
package enum CommandStartup {
    /// Stops OpenBLAS's idle worker threads (``TensorRuntime/stopIdleBLASThreadsAtStartup()``): nothing has called
    /// BLAS yet, and they would poll on the second core while the model is read.
    package static func run() {
        TensorRuntime.stopIdleBLASThreadsAtStartup()
    }
}
