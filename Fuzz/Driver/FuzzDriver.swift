import CFuzzDriver

/// Runs libFuzzer with the process's arguments, calling `body` with every input.
///
/// SwiftPM links an executable with `main` aliased to `<Target>_main`, which `-parse-as-library`
/// (needed so libFuzzer can own `main`) does not emit; each fuzz target defines that symbol and
/// calls this, which hands control to libFuzzer's driver.
public func runFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ body: @escaping (UnsafeRawBufferPointer) -> Void) -> CInt
{
    input = body
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in
        input?(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }
}

nonisolated(unsafe) private var input: ((UnsafeRawBufferPointer) -> Void)?

/// Stops the process on a finding, so libFuzzer saves the input beside the message.
public func stop(_ finding: String?) {
    if let finding { fatalError(finding) }
}
