public import OrganicFramework
import TextEmbeddingPlugin
import TextGenerationPlugin
import VisionPlugin

/// The plugins that the `organic` and `organic-miner` executables ship.
/// Validators who compose their own node list their plugins in their own executable instead.
public enum BundledPlugins {
    public static let catalog = PluginCatalog([VisionPlugin.self, TextEmbeddingPlugin.self, TextGenerationPlugin.self])
}
