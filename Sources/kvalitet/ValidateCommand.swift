import ArgumentParser
import Kvalitet

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Pilot validation of indicator sets: reliability, item quality, unit differences.",
        discussion: "Exit codes: 0 done, 1 usage error, 2 input refused.")

    @OptionGroup var common: InputOptions

    func run() throws {
        var job = ValidateJob()
        job.setDirectories = common.setDirectories
        job.defaultSet = common.set
        job.format = common.format
        job.output = common.output
        job.language = common.lang
        job.inputs = common.inputs
        var out = StandardOutput()
        do {
            _ = try job.run(standardOutput: &out, standardError: printError)
        } catch {
            fail(with: error)
        }
    }
}
