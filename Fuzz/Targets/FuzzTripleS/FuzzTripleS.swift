import FuzzDriver
import FuzzSupport

// libFuzzer target (Fuzz/run.sh builds it with `-sanitize=fuzzer,address`); libFuzzer's own
// `main` object is linked too and looks for LLVMFuzzerTestOneInput.
@_cdecl("FuzzTripleS_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt { runFuzzer(argc, argv, FuzzSupport.tripleS) }
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt { testOne(data, size, FuzzSupport.tripleS) }
