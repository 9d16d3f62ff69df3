/// The body of `POST /libpod/containers/create` (libpod's SpecGenerator), for the fields this
/// controller sets. Encoded with libpod's own key names.
public struct ContainerCreateRequest: Sendable, Encodable, Equatable {
    public var name: String
    public var image: String
    public var labels: [String: String]
    public var env: [String: String]
    /// Overrides the image's command when set.
    public var command: [String]?

    public init(name: String, image: String, labels: [String: String] = [:], env: [String: String] = [:],
                command: [String]? = nil) {
        self.name = name
        self.image = image
        self.labels = labels
        self.env = env
        self.command = command
    }
}

/// One row of `GET /libpod/containers/json`.
public struct ContainerSummary: Sendable, Decodable, Equatable {
    public var id: String
    public var names: [String]
    public var image: String
    /// `created`, `running`, `exited`, ...
    public var state: String
    public var labels: [String: String]

    enum CodingKeys: String, CodingKey {
        case id = "Id", names = "Names", image = "Image", state = "State", labels = "Labels"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        names = try container.decodeIfPresent([String].self, forKey: .names) ?? []
        image = try container.decodeIfPresent(String.self, forKey: .image) ?? ""
        state = try container.decodeIfPresent(String.self, forKey: .state) ?? ""
        labels = try container.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
    }
}
