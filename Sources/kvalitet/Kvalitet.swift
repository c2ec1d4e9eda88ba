import ArgumentParser

@main
struct KvalitetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kvalitet",
        abstract: "Scores user and employee surveys against indicator sets (bedrekommune style).",
        subcommands: [ScoreCommand.self, SetsCommand.self])
}
