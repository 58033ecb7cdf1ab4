/// The JSON the validator and the vision miners exchange (`plugins.settings.vision.minerWireFormat`).
///
/// Callers never see the difference: the public API is the same in both formats.
public enum MinerWireFormat: String, Codable, Sendable, Hashable, CaseIterable {
    /// Organic's own format: the caller's request plus `seed`; answers carry `clip_embedding` and
    /// hashes named `average_hash`, `phash`, `dhash`, `colorhash`.
    case organic
    /// Subnet 19's nineteen miners: per-operation task names as `model`, inpaint's `mask_image`,
    /// avatar without `cfg_scale`; answers carry `clip_embeddings` and hashes named
    /// `average_hash`, `perceptual_hash`, `difference_hash`, `color_hash`; capacity as
    /// `{"task_configs": [...]}` → `{"<task>": <volume>}`.
    case nineteen
}
