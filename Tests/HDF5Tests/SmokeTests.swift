import HDF5
import Testing

@Suite struct SmokeTests {
    @Test func version() {
        #expect(HDF5Library.version.hasPrefix("1."))
    }
}
