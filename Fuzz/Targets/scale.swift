// libFuzzer target: the SCALE decoder that reads the chain's `Vec<NeuronInfoLite>` (the
// metagraph a node trusts for its miners' addresses and stakes).
// Built by scripts/fuzz.sh with the sources it lists; never part of the package build.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSCALE(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let neurons = try? NeuronInfoLite.decodeVector(bytes) {
        for neuron in neurons { _ = neuron.axonURL }
    }
    return 0
}
