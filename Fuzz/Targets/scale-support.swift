// The one plugin-API type `Neuron` mentions, so that the SCALE target builds without the
// plugin API module (same shape as OrganicPluginAPI's).
public struct MinerIdentity: Sendable, Hashable, Codable {
    public var uid: UInt16
    public var hotkey: String

    public init(uid: UInt16, hotkey: String) {
        self.uid = uid
        self.hotkey = hotkey
    }
}
