/// One of nineteen's image tasks and where this plugin schedules it.
///
/// nineteen names a task per operation and engine (`proteus-text-to-image`,
/// `proteus-image-to-image`, `inpaint`, `avatar`); miners declare capacity per task. The node
/// schedules per endpoint, or per `<endpoint>/<model>` for endpoints that route by model.
struct NineteenTask: Sendable, Hashable {
    /// nineteen's task name.
    var name: String
    /// The endpoint serving it (also its miner path below `/`).
    var endpoint: String
    /// The model the endpoint routes it by, or nil when the endpoint does not route by model.
    var model: String?

    static let inpaint = "inpaint"
    static let avatar = "avatar"

    /// The scheduling key the node uses for this task.
    var schedulingKey: String { model.map { endpoint + "/" + $0 } ?? endpoint }

    /// Every nineteen task the configuration offers, text-to-image and image-to-image per engine.
    static func all(_ configuration: VisionConfiguration) -> [NineteenTask] {
        configuration.models.flatMap { model in
            [NineteenTask(name: model.name, endpoint: TextToImageEndpoint.name, model: model.name),
             NineteenTask(name: model.imageToImageName, endpoint: ImageToImageEndpoint.name, model: model.imageToImageName)]
        } + [NineteenTask(name: inpaint, endpoint: InpaintEndpoint.name, model: nil),
             NineteenTask(name: avatar, endpoint: AvatarEndpoint.name, model: nil)]
    }
}
