// libFuzzer drives fuzzCards: it parses its own flags (-max_total_time=..., a corpus folder) from
// the command line. Built only with -sanitize=fuzzer (Fuzz/run.sh).
#if canImport(Glibc)
import Glibc
#endif

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// libFuzzer's own `main` (linked by -sanitize=fuzzer) calls this; the driver call below serves
/// when SwiftPM's entry point wins instead. Either way every input reaches the same function.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 { fuzzCards(data, size) }

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(runFuzzerDriver(&argc, &argv) { data, size in fuzzCards(data, size) })
