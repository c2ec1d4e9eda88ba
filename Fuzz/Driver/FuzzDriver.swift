import CFuzzDriver

/// Runs libFuzzer with the process's arguments on `target`, stopping at its first finding.
///
/// SwiftPM links an executable with `main` aliased to `<Target>_main`, which `-parse-as-library`
/// (needed so libFuzzer can own `main`) does not emit; each fuzz target defines that symbol and
/// calls this, which hands control to libFuzzer's driver.
public func runFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ target: @escaping (UnsafeRawBufferPointer) -> String?) -> CInt
{
    current = target
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in testOne(data, size, current!) }
}

/// One input: a finding stops the process, so libFuzzer saves the input beside the message.
public func testOne(_ data: UnsafePointer<UInt8>?, _ size: Int, _ target: (UnsafeRawBufferPointer) -> String?) -> CInt {
    if let finding = target(UnsafeRawBufferPointer(start: data, count: size)) { fatalError(finding) }
    return 0
}

nonisolated(unsafe) private var current: ((UnsafeRawBufferPointer) -> String?)?
