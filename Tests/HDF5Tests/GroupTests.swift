import Foundation
import HDF5
import Testing

/// Groups, paths, listing and walking (Fixtures/hdf5/datasets.h5; expected listings from h5py).
@Suite struct GroupTests {
    @Test func rootChildrenInNameOrderWithKinds() throws {
        let root = try HDF5File.open(at: Fixture.datasets).rootGroup()
        #expect(root.path == "/")
        #expect(root.name == "/")
        let children = try root.children()
        #expect(children.map(\.name) == (try jsonStrings(try Fixture.expected("datasets", "root_children"))))
        let kinds = Dictionary(uniqueKeysWithValues: children.map { ($0.name, $0.kind) })
        #expect(kinds["nested"] == .group)
        #expect(kinds["model_weights"] == .group)
        #expect(kinds["f32"] == .dataset)
        #expect(kinds["bf16"] == .dataset)
        #expect(children.allSatisfy { $0.path == $0.name })
    }

    @Test func creationAndNameOrder() throws {
        let ordered = try HDF5File.open(at: Fixture.datasets).group(at: "ordered")
        #expect(try ordered.tracksCreationOrder())
        let creation = try ordered.children(order: .creation)
        #expect(creation.map(\.name) == (try jsonStrings(try Fixture.expected("datasets", "ordered", "creation"))))
        #expect(creation.map(\.kind) == [.group, .dataset, .group])
        #expect(try ordered.children(order: .name).map(\.name) == (try jsonStrings(try Fixture.expected("datasets", "ordered", "name"))))
    }

    @Test func creationOrderOfAnUntrackedGroupThrows() throws {
        let root = try HDF5File.open(at: Fixture.datasets).rootGroup()
        #expect(try !root.tracksCreationOrder())
        let error = try hdf5Error { _ = try root.children(order: .creation) }
        #expect(error.code == .invalidArgument)
        #expect(error.description.contains("does not track the creation order"))
    }

    @Test func recursiveWalk() throws {
        let root = try HDF5File.open(at: Fixture.datasets).rootGroup()
        let links = try root.descendants()
        #expect(links.map(\.path) == (try jsonStrings(try Fixture.expected("datasets", "walk"))))
        let leaf = try #require(links.first { $0.path == "nested/a/b/c/leaf" })
        #expect(leaf.name == "leaf")
        #expect(leaf.kind == .dataset)
        #expect(links.first { $0.path == "nested/a/b" }?.kind == .group)
        let nested = try root.group(at: "nested").descendants()
        #expect(nested.map(\.path) == ["a", "a/b", "a/b/c", "a/b/c/leaf", "a/sibling"])
    }

    @Test func existsChecksEachComponent() throws {
        let root = try HDF5File.open(at: Fixture.datasets).rootGroup()
        #expect(try root.exists("nested/a/b/c/leaf"))
        #expect(try root.exists("/nested/a"))
        #expect(try root.exists("/"))
        #expect(try root.exists("model_weights/d1/d1/kernel:0"))
        #expect(try !root.exists("nested/a/b/x"))
        #expect(try !root.exists("missing/deeper/path"))
        #expect(try !root.exists("nested/a/sibling/child"))  // sibling is a dataset
        #expect(try !root.exists("f32/x"))
        #expect(try root.objectKind(at: "nested/a/sibling") == .dataset)
        #expect(try root.objectKind(at: "nested/a") == .group)
        #expect(try root.objectKind(at: "nope") == nil)
        let sub = try root.group(at: "nested/a")
        #expect(try sub.exists("b/c"))
        #expect(try sub.exists("/f16"))
        #expect(try !sub.exists("f16"))
    }

    @Test func relativeAndAbsolutePaths() throws {
        let file = try HDF5File.open(at: Fixture.datasets)
        let weights = try file.group(at: "model_weights")
        #expect(weights.path == "/model_weights")
        #expect(weights.name == "model_weights")
        #expect(weights.filePath == Fixture.datasets)
        let kernel = try weights.dataset(at: "d1/d1/kernel:0")
        #expect(kernel.path == "/model_weights/d1/d1/kernel:0")
        #expect(kernel.name == "kernel:0")
        #expect(kernel.shape == [2, 3])
        let c = try file.group(at: "nested/a").group(at: "b/c")
        #expect(c.path == "/nested/a/b/c")
        #expect(try c.dataset(at: "/f32").path == "/f32")
        #expect(try c.dataset(at: "leaf").shape == [2])
    }

    @Test func openingTheWrongKindThrowsTypeMismatch() throws {
        let file = try HDF5File.open(at: Fixture.datasets)
        let notGroup = try hdf5Error { _ = try file.group(at: "f32") }
        #expect(notGroup.code == .typeMismatch)
        #expect(notGroup.description == "cannot open group '/f32' in '\(Fixture.datasets)': the object is a dataset, not a group")
        let notDataset = try hdf5Error { _ = try file.dataset(at: "nested") }
        #expect(notDataset.code == .typeMismatch)
        #expect(notDataset.description.contains("the object is a group, not a dataset"))
    }

    @Test func missingObjectsThrowObjectNotFound() throws {
        let file = try HDF5File.open(at: Fixture.datasets)
        let dataset = try hdf5Error { _ = try file.group(at: "model_weights").dataset(at: "d1/d1/missing:0") }
        #expect(dataset.code == .objectNotFound)
        #expect(dataset.function == "H5Dopen2")
        #expect(dataset.objectPath == "/model_weights/d1/d1/missing:0")
        #expect(dataset.filePath == Fixture.datasets)
        #expect(!dataset.stack.isEmpty)
        #expect(dataset.description == "cannot open dataset '/model_weights/d1/d1/missing:0' in '\(Fixture.datasets)': H5Dopen2: object 'missing:0' doesn't exist")
        let group = try hdf5Error { _ = try file.group(at: "nested/zzz/a") }
        #expect(group.code == .objectNotFound)
        #expect(group.description.hasPrefix("cannot open group '/nested/zzz/a' in '\(Fixture.datasets)': H5Gopen2: "))
    }

    @Test func invalidPathsAreRejected() throws {
        let root = try HDF5File.open(at: Fixture.datasets).rootGroup()
        #expect(try hdf5Error { _ = try root.group(at: "") }.code == .invalidArgument)
        #expect(try hdf5Error { _ = try root.dataset(at: "a\u{0}b") }.code == .invalidArgument)
    }
}
