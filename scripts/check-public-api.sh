#!/usr/bin/env bash
# Fails when a library module's public symbols differ from its checked-in list in
# Docs/PublicAPI/<Module>.txt, so that nothing becomes public by accident.
#
# Reads the modules of the last debug build (run it after `swift build`; it compiles nothing):
# swift-symbolgraph-extract gets each module's public symbols with the flags SwiftPM used.
#
#   scripts/check-public-api.sh            # compare
#   scripts/check-public-api.sh --update   # rewrite the lists after an intended change
set -euo pipefail
cd "$(dirname "$0")/.."

modules=(OrganicPluginAPI OrganicCrypto OrganicFramework OrganicMinerKit OrganicTestKit
         PromptCorpus VisionPlugin TextGenerationPlugin TextEmbeddingPlugin)
lists=Docs/PublicAPI
update=false
[ "${1:-}" = "--update" ] && update=true

description=.build/debug/description.json
if [ ! -f "$description" ]; then
  echo "check-public-api: $description not found; run swift build first" >&2
  exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
for module in "${modules[@]}"; do
  # The module's compile flags (target, import paths, C module maps) as SwiftPM passed them.
  python3 - "$description" "$module" > "$work/$module.args" <<'PY'
import json, sys
commands = json.load(open(sys.argv[1]))["swiftCommands"]
command = next(c for c in commands.values() if c.get("moduleName") == sys.argv[2] and "-tool" not in c.get("tempsPath", ""))
arguments = command["otherArguments"]
keep = []
i = 0
while i < len(arguments):
    a = arguments[i]
    if a in ("-target", "-module-cache-path") or (a == "-Xcc" and i + 1 < len(arguments)):
        keep += [a, arguments[i + 1]]
        i += 2
        continue
    i += 1
print("\n".join(["-I", command["importPath"]] + keep))
PY
  mkdir -p "$work/$module"
  mapfile -t arguments < "$work/$module.args"
  swift-symbolgraph-extract -module-name "$module" "${arguments[@]}" -minimum-access-level public \
    -skip-synthesized-members -output-dir "$work/$module" > "$work/$module.log" 2>&1 || {
    cat "$work/$module.log" >&2
    exit 2
  }
  # One line per public symbol: its path and its declaration (extensions of other modules'
  # types come from the <Module>@<Other> files).
  python3 - "$work/$module" > "$work/$module.txt" <<'PY'
import json, os, sys
lines = set()
for name in os.listdir(sys.argv[1]):
    graph = json.load(open(os.path.join(sys.argv[1], name)))
    for symbol in graph["symbols"]:
        path = ".".join(symbol["pathComponents"])
        declaration = "".join(f["spelling"] for f in symbol.get("declarationFragments", []))
        lines.add(f"{path}: {' '.join(declaration.split())}")
print("\n".join(sorted(lines)))
PY
  if $update; then
    mkdir -p "$lists"
    cp "$work/$module.txt" "$lists/$module.txt"
  elif ! diff -u "$lists/$module.txt" "$work/$module.txt" > "$work/$module.diff"; then
    echo "check-public-api: the public API of $module changed (+ new, - gone):" >&2
    grep -E '^[+-][^+-]' "$work/$module.diff" >&2 || true
    failed=1
  fi
done
if [ "$failed" -ne 0 ]; then
  echo "check-public-api: make the new symbols package or internal, or, when they are meant for plugin" >&2
  echo "authors and node composers, run scripts/check-public-api.sh --update and commit $lists." >&2
  exit 1
fi
$update && echo "check-public-api: lists written to $lists" || echo "check-public-api: public API unchanged (${#modules[@]} modules)"
