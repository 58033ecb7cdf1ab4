import Synchronization

/// Images a request's validation decoded, kept for the same request's perturbation so that
/// each image is decoded once per request.
///
/// Copies of a request share one store, so what `validate` (which sees the caller's request)
/// records, `perturb` (which changes the miner's copy) finds. An entry is used only for the
/// exact base64 text it was decoded from, and is dropped once used. It takes no part in the
/// request's equality, hash or JSON.
final class DecodedImages: Sendable, Hashable {
    private let entries = Mutex<[Int: (source: String, raster: PNGRaster)]>([:])

    /// Keeps `raster`, decoded from `source`, for the image at `index`.
    func keep(_ raster: PNGRaster, decodedFrom source: String, at index: Int) {
        entries.withLock { $0[index] = (source, raster) }
    }

    /// The raster decoded from `source` at `index`, if validation kept one; removed on return.
    func take(at index: Int, source: String) -> PNGRaster? {
        entries.withLock { entries in
            guard let entry = entries[index], entry.source == source else { return nil }
            entries[index] = nil
            return entry.raster
        }
    }

    /// Requests are equal by their fields alone.
    static func == (lhs: DecodedImages, rhs: DecodedImages) -> Bool { true }

    func hash(into hasher: inout Hasher) {}
}
