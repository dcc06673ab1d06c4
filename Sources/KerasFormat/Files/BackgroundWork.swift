import Dispatch

/// Work run once on a global queue while the caller goes on (loading's work beside libhdf5's: parsing the
/// architecture, closing the file). ``wait()`` returns its result, as often as it is called; whoever starts one waits
/// for it before returning, so nothing of a call runs on after it.
final class BackgroundWork<T>: @unchecked Sendable {
    private var work: (() -> T)?
    private var result: T?
    private let done = DispatchSemaphore(value: 0)

    /// Starts `work` (which only this object then refers to: whatever it captures is released on that thread).
    init(_ work: @escaping () -> T) {
        self.work = work
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            result = self.work!()
            self.work = nil
            done.signal()
        }
    }

    /// The work's result, once it is done (the semaphore orders its writes before this read).
    @discardableResult
    func wait() -> T {
        done.wait()
        done.signal()
        return result!
    }
}
