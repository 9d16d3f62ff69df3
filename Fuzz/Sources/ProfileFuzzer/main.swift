// libFuzzer drives fuzzProfile. Built only with -sanitize=fuzzer (Fuzz/run.sh).
import FuzzDriver

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 { fuzzProfile(data, size) }

runFuzzer { data, size in fuzzProfile(data, size) }
