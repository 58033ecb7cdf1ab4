/// What every vision endpoint holds: the plugin's resources (configuration, image pool, prompt
/// model, reward model), built once per plugin and shared. Internal, so those types stay
/// internal; endpoints are created with the memberwise `init(resources:)`.
protocol VisionEndpoint {
    var resources: VisionResources { get }
}

extension VisionEndpoint {
    var configuration: VisionConfiguration { resources.configuration }
}
