#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/Targets with `swiftc -sanitize=fuzzer,address` and runs
# each for a bounded time, starting from its seed corpus in Fuzz/Corpus/<target>.
#
#   scripts/fuzz.sh [--seconds N] [--jobs N] [--seed N] [target…]   (default: 60 s each, every target)
#   scripts/fuzz.sh --check                                 (does this toolchain support it?)
#   scripts/fuzz.sh --replay DIR target                     (run the inputs in DIR once)
#
# Targets: json (StrictJSON + TapeJSONDecoder), image (PNG/JPEG header readers and decoders),
# scale (Vec<NeuronInfoLite> SCALE decoder), signing (btauth/Epistula header values and
# sr25519/ed25519 verification). The targets are compiled from the project's own sources,
# outside SwiftPM, so that the package build never sees the sanitizer; everything goes to
# .build/fuzz. Inputs the fuzzer finds are kept in .build/fuzz/corpus/<target> (the seeds in
# the repository stay small); a crash leaves its input in .build/fuzz/artifacts/<target>/ and
# makes the script fail. See Docs/Fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
jobs=1
seed=0
replay=""
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --replay) replay=$2; shift 2 ;;
    --check) check=1; shift ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(json image scale signing)

out=.build/fuzz
mkdir -p "$out/modules"
flags=(-parse-as-library -O -sanitize=fuzzer,address -package-name organic)

# Whether swiftc can build and run a libFuzzer binary here.
supported() {
  local probe="$out/probe"
  mkdir -p "$probe"
  cat > "$probe/probe.swift" <<'SWIFT'
@_cdecl("LLVMFuzzerTestOneInput")
public func probe(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt { 0 }
SWIFT
  swiftc "${flags[@]}" -module-name Probe "$probe/probe.swift" -o "$probe/probe" >/dev/null 2>&1 &&
    "$probe/probe" -runs=10 >/dev/null 2>&1
}
if [ -n "${check:-}" ]; then
  if supported; then echo "fuzz: libFuzzer supported"; exit 0; else echo "fuzz: libFuzzer not supported by this toolchain"; exit 1; fi
fi
supported || { echo "fuzz: this toolchain cannot build -sanitize=fuzzer binaries" >&2; exit 1; }

crypto() {
  local sources=(Sources/OrganicFramework/Crypto/*.swift)
  # OrganicCrypto hashes with swift-crypto, which is not built outside SwiftPM: a small stand-in
  # module of the same name provides the one call it makes.
  if [ ! -f "$out/libCrypto.a" ] || [ Fuzz/Support/CryptoForFuzzing.swift -nt "$out/libCrypto.a" ]; then
    rm -f "$out/libCrypto.a"
    swiftc "${flags[@]}" -module-name Crypto -I Sources/CSystem/CSodium -emit-module \
      -emit-module-path "$out/modules/Crypto.swiftmodule" -emit-library -static -o "$out/libCrypto.a" Fuzz/Support/CryptoForFuzzing.swift 2>&1 |
      grep -v "ld.gold: warning" || true
  fi
  if [ ! -f "$out/libOrganicCrypto.a" ] || [ -n "$(find "${sources[@]}" "$out/libCrypto.a" -newer "$out/libOrganicCrypto.a" | head -n1)" ]; then
    rm -f "$out/libOrganicCrypto.a"
    swiftc "${flags[@]}" -module-name OrganicCrypto -I Sources/CSystem/CSodium -I "$out/modules" -emit-module \
      -emit-module-path "$out/modules/OrganicCrypto.swiftmodule" -emit-library -static -o "$out/libOrganicCrypto.a" "${sources[@]}" 2>&1 |
      grep -v "ld.gold: warning" || true
  fi
}

build() { # target
  local sources=() extra=()
  case "$1" in
    json) sources=(Sources/OrganicFramework/PluginAPI/JSON/*.swift) ;;
    image) sources=(Sources/Plugins/Vision/Imaging/*.swift)
           extra=(-I Sources/CSystem/CLibPNG -I Sources/CSystem/CLibDeflate -I Sources/CSystem/CTurboJPEG -lpng -ldeflate -lturbojpeg -lz) ;;
    scale) crypto
           sources=(Sources/OrganicFramework/Runtime/Metagraph/{SCALEReader,NeuronInfoLite,Neuron}.swift Fuzz/Targets/scale-support.swift)
           extra=(-I "$out/modules" -I Sources/CSystem/CSodium "$out/libOrganicCrypto.a" "$out/libCrypto.a" -lsodium) ;;
    signing) crypto
             extra=(-I "$out/modules" -I Sources/CSystem/CSodium "$out/libOrganicCrypto.a" "$out/libCrypto.a" -lsodium) ;;
    *) echo "fuzz: unknown target $1 (json, image, scale, signing)" >&2; exit 2 ;;
  esac
  local binary="$out/$1"
  if [ ! -x "$binary" ] || [ -n "$(find "${sources[@]}" "Fuzz/Targets/$1.swift" "$out"/libOrganicCrypto.a -newer "$binary" 2>/dev/null | head -n1)" ]; then
    echo "fuzz: building $1"
    # A binary left from an earlier build must not stand in for one that no longer compiles.
    rm -f "$binary"
    swiftc "${flags[@]}" -module-name "OrganicFuzz_$1" "${sources[@]}" "Fuzz/Targets/$1.swift" "${extra[@]}" -o "$binary" 2>&1 |
      grep -v "ld.gold: warning" || true
    [ -x "$binary" ] || { echo "fuzz: could not build $1" >&2; exit 1; }
  fi
}

status=0
for target in "${targets[@]}"; do
  build "$target"
  if [ -n "$replay" ]; then
    "$out/$target" -runs=1 "$replay"/*
    continue
  fi
  corpus="$out/corpus/$target" artifacts="$out/artifacts/$target/"
  mkdir -p "$corpus" "$artifacts"
  cp -n Fuzz/Corpus/"$target"/* "$corpus"/ 2>/dev/null || true
  log="$out/$target.log"
  parallel=()
  [ "$jobs" -le 1 ] || parallel=(-jobs="$jobs" -workers="$jobs")
  # From $out: parallel jobs write their fuzz-N.log files to the working directory.
  if (cd "$out" && "./$target" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 -seed="$seed" "${parallel[@]}" \
       -print_final_stats=1 -artifact_prefix="artifacts/$target/" "corpus/$target") > "$log" 2>&1; then
    runs=$(grep -h "stat::number_of_executed_units" "$log" | awk '{s += $2} END {print s + 0}')
    rate=$(grep -h "stat::average_exec_per_sec" "$log" | awk '{s += $2} END {print s + 0}')
    echo "fuzz: $target: $runs inputs in ${seconds}s ($rate/s), no crash"
  else
    echo "fuzz: $target: CRASH; input kept in $artifacts (log: $log)" >&2
    grep -hE "ERROR|SUMMARY|Fatal error|panic" "$log" "$out"/fuzz-*.log 2>/dev/null | head -5 >&2 || true
    status=1
  fi
done
exit $status
