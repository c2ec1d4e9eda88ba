import FuzzDriver
import FuzzSupport

// libFuzzer target (Fuzz/run.sh builds it with `-sanitize=fuzzer,address`).
@_cdecl("FuzzXML_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { stop(FuzzSupport.xml($0)) }
}

/// The input callback libFuzzer's own `main` would look for (its object is linked in too).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    stop(FuzzSupport.xml(UnsafeRawBufferPointer(start: data, count: size)))
    return 0
}
