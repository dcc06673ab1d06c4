import Foundation
@testable import HDF5
import Testing
import _TestSupport

/// The HDF5 layer's refusals of data outside the file, on the crafted files of Fixtures/hostile
/// (tools/fixtures_hostile.py, made with h5py). The files' targets (../secrets/…) do not exist relative to the
/// test's working directory, so a refusal here is ours, not a missing target's.
@Suite("external data and plugins (issue 17)",
       .enabled(if: FileManager.default.fileExists(atPath: TestFixtures.path("hostile/external_link.h5")),
                "Fixtures/hostile is missing: run tools/.venv/bin/python tools/fixtures_hostile.py (tools/test.sh does)"))
struct ExternalDataTests {
    func file(_ name: String) throws -> HDF5File { try HDF5File.open(at: TestFixtures.path("hostile/\(name)")) }

    @Test("checkSelfContained refuses each kind of external data, wherever it sits, naming the target",
          arguments: [
            ("external_storage.h5", "/model_weights/logits/logits/kernel:0", "external files (first: '../secrets/marker.bin')"),
            ("external_storage_unread.h5", "/optimizer_weights/training/dense/kernel", "external files"),
            ("virtual_dataset.h5", "/model_weights/logits/logits/kernel:0", "virtual dataset mapping 'secret' in file '../secrets/source.h5'"),
            ("external_link.h5", "/model_weights/logits/logits/kernel:0", "external link to '/secret' in file '../secrets/source.h5'"),
            ("external_link_group.h5", "/optimizer_weights", "external link to '/' in file '../secrets/source.h5'"),
            ("unknown_filter.h5", "/model_weights/logits/logits/kernel:0", "filter 32123"),
          ])
    func wholeFile(_ name: String, _ object: String, _ reason: String) throws {
        let error = try hdf5Error { try file(name).checkSelfContained() }
        #expect(error.code == .refused)
        #expect(error.objectPath == object, "\(error)")
        #expect(error.description.contains(reason), "\(error)")
        #expect(error.description.contains(name))
    }

    @Test("opening the object itself is refused before libhdf5 follows it")
    func perObject() throws {
        for (name, path) in [("external_storage.h5", "model_weights/logits/logits/kernel:0"),
                             ("virtual_dataset.h5", "model_weights/logits/logits/kernel:0"),
                             ("external_link.h5", "model_weights/logits/logits/kernel:0"),
                             ("unknown_filter.h5", "model_weights/logits/logits/kernel:0")] {
            let error = try hdf5Error { _ = try file(name).dataset(at: path) }
            #expect(error.code == .refused, "\(name): \(error)")
        }
        let group = try hdf5Error { _ = try file("external_link_group.h5").group(at: "optimizer_weights") }
        #expect(group.code == .refused && group.description.contains("external link"), "\(group)")
        // Listing names the link without following it.
        #expect(try file("external_link_group.h5").rootGroup().objectKind(at: "optimizer_weights") == .externalLink)
        // The intact weights of the same files still read.
        #expect(try file("external_link.h5").dataset(at: "model_weights/conv1/conv1/bias:0").readFloats().count == 4)
    }

    @Test("the fixtures the crafted files came from are self-contained")
    func intactFiles() throws {
        try HDF5File.open(at: TestFixtures.path("models/example/model.h5")).checkSelfContained()
        try HDF5File.open(at: TestFixtures.path("hdf5/datasets.h5")).checkSelfContained()  // chunked + gzip inside
    }

    @Test("plugin loading is off; deflate, shuffle and fletcher32 are built in")
    func plugins() {
        _ = HDF5Library.version  // initialises the library
        #expect(ExternalDataCheck.pluginLoadingIsOff())
        let builtin = ExternalDataCheck.builtinFilters
        for f in ["deflate", "shuffle", "fletcher32"] { #expect(builtin.contains(f), "\(builtin)") }
    }
}

/// The self-containment walk's list of the root's links, kept for the root's later listing (one H5Lvisit, not two).
@Suite struct KeptRootWalkTests {
    @Test func rootListingAfterTheCheckIsTheWalksOwn() throws {
        // The listing as a walk of its own gives it: a file not checked.
        let plain = try HDF5File.open(at: Fixture.datasets).rootGroup().descendants()
        let file = try HDF5File.open(at: Fixture.datasets)
        #expect(file.verified.rootLinks == nil)
        try file.checkSelfContained()
        let kept = try #require(file.verified.rootLinks)
        #expect(kept.count == plain.count)
        let root = try file.rootGroup()
        let listed = try root.descendants()
        #expect(listed.map(\.path) == plain.map(\.path))
        #expect(listed.map(\.name) == plain.map(\.name))
        #expect(listed.map(\.kind) == plain.map(\.kind))
        // Only the root's listing in name order comes from it; a group below walks for itself.
        #expect(try root.group(at: "nested").descendants().map(\.path) == ["a", "a/b", "a/b/c", "a/b/c/leaf", "a/sibling"])
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: TestFixtures.path("hostile/external_link.h5")),
                   "Fixtures/hostile is missing: run tools/.venv/bin/python tools/fixtures_hostile.py (tools/test.sh does)"))
    func aRefusedFileKeepsNoList() throws {
        let file = try HDF5File.open(at: TestFixtures.path("hostile/external_link.h5"))
        #expect(throws: HDF5Error.self) { try file.checkSelfContained() }
        #expect(file.verified.rootLinks == nil)
    }
}
