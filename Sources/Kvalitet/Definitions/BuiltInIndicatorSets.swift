enum BuiltInIndicatorSets {
    static let definitions: [(name: String, yaml: String)] = []
}
