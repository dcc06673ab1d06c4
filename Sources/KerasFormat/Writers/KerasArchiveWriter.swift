import Foundation
import HDF5
import KerasGraph
import ZIPFoundation

/// Writes a Keras 3 `.keras` archive as `model.save('m.keras')` does: a ZIP with every member stored (no
/// compression), in Keras' order: `metadata.json` (`keras_version`, `date_saved`), `config.json` (the model's
/// serialization), `model.weights.h5` (the ``V3WeightsWriter`` layout, built in memory).
enum KerasArchiveWriter {
    /// Writes the archive at `path`, which must not exist.
    static func write(_ graph: ModelGraph, config: String, to path: String) throws {
        let h5 = try HDF5File.createInMemory(name: "model.weights.h5")
        try V3WeightsWriter().write(graph, into: h5)
        let weights = try h5.imageBytes()
        try h5.close()

        let metadata = JSONValue.object([("keras_version", .string(KerasFileWriter.keras3Version)),
                                         ("date_saved", .string(dateSaved(Date())))]).serialized()
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        } catch {
            throw FormatError(file: path, "cannot create the archive: \(error)")
        }
        // Keras writes metadata and config with zipfile's default date (1980-01-01), the weights with the save time.
        let epoch = zipEpoch()
        try add(Data(metadata.utf8), as: "metadata.json", date: epoch, to: archive, path: path)
        try add(Data(config.utf8), as: "config.json", date: epoch, to: archive, path: path)
        try add(Data(weights), as: "model.weights.h5", date: Date(), to: archive, path: path)
    }

    private static func add(_ data: Data, as name: String, date: Date, to archive: Archive, path: String) throws {
        do {
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), modificationDate: date,
                                 compressionMethod: .none) { position, size in
                data.subdata(in: Int(position)..<(Int(position) + size))
            }
        } catch {
            throw FormatError(file: path, object: name, "cannot add to the archive: \(error)")
        }
    }

    /// `date_saved` as Keras formats it: `%Y-%m-%d@%H:%M:%S`, local time.
    static func dateSaved(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone.current
        f.dateFormat = "yyyy-MM-dd'@'HH:mm:ss"
        return f.string(from: date)
    }

    /// 1980-01-01 00:00 local time, the earliest ZIP date (Python's `ZipInfo` default).
    private static func zipEpoch() -> Date {
        var c = DateComponents()
        (c.year, c.month, c.day, c.hour, c.minute, c.second) = (1980, 1, 1, 0, 0, 0)
        return Calendar(identifier: .gregorian).date(from: c) ?? Date(timeIntervalSince1970: 315_532_800)
    }
}
