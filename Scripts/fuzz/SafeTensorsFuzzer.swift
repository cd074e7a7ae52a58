// libFuzzer entry point for the safetensors reader and its JSON parser. Not part of the package build:
// `Scripts/fuzz.sh safetensors` compiles it with Sources/BertEmbedSafeTensors/*.swift into the module
// BertEmbedSafeTensors, against BertEmbedJSON built on its own.
import BertEmbedJSON

/// Parses the input as a whole safetensors file (reading every tensor it declares) and as a JSON document.
/// Any input may be rejected with an error; none may trap, leak out of bounds, or hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func safeTensorsFuzzTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let file = try? SafeTensorsFile(bytes: bytes, name: "fuzz") {
        for tensor in file.tensors {
            let raw = try? file.rawBytes(tensor.name)
            precondition(raw?.count == tensor.byteRange.count)
            if tensor.dtype.isFloatConvertible {
                precondition((try? file.floats(tensor.name))?.count == tensor.elementCount)
            }
        }
    }
    _ = try? JSONParser.parse(bytes)
    return 0
}
