#!/usr/bin/env bash
# Runs every test project and ends with the one line CI reads:
#   N passed, N failed, N skipped
# Per-project results come from the TRX files the runner writes, not from scraping its
# console output, so a crashed test host still counts as a failure.
set -uo pipefail
config="${1:-Release}"
root="$(cd "$(dirname "$0")/.." && pwd)"
results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

# The end-to-end tests run the daemon as it ships, the Native AOT executable `make` publishes
# (DaemonProcess reads MICROSEG_TEST_DAEMON), unless the managed build is newer: then a source
# changed since the last `make`, and the build's daemon is the one that has the change.
native_daemon="$root/artifacts/native/microsegd"
built_daemon="$root/artifacts/dotnet/bin/Microseg.Agent/${config,,}/microsegd.dll"
if [[ -x "$native_daemon" && ! "$built_daemon" -nt "$native_daemon" ]]; then
  export MICROSEG_TEST_DAEMON="$native_daemon"
  echo "== end-to-end tests run the Native AOT daemon $native_daemon"
else
  echo "== end-to-end tests run the build's daemon (no artifacts/native/microsegd newer than the build: run make)"
fi

status=0
# Projects run one after another: kernel tests share the machine's two cores and its
# network namespace list, and their timing-sensitive parts fare better alone.
for project in "$root"/tests/*/*.Tests.csproj; do
  name="$(basename "$project" .csproj)"
  echo "== $name"
  # Category=Long (the two-minute flood) is `make test-flood`'s, outside this run's time.
  dotnet test "$project" -c "$config" --no-build --nologo --filter "Category!=Long" \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
    --logger "console;verbosity=minimal" || status=1
done

# A short afl++ run on each loader (fuzz/run.sh, docs/fuzzing.md): one result per target,
# counted below like a test; any crash or hang fails it.
fuzz_seconds="${FUZZ_TEST_SECONDS:-30}"
echo "== fuzz: afl++ on the policy and settings loaders, ${fuzz_seconds}s each"
"$root/fuzz/run.sh" --target all --seconds "$fuzz_seconds" --results "$results" || status=1

python3 - "$results" "$status" <<'PY'
import sys, glob, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
files = glob.glob(sys.argv[1] + "/*.trx")
for f in files:
    root = ET.parse(f).getroot()
    # Name every failure here, once, so the last screen of a CI log says what broke.
    for r in root.iterfind(".//t:UnitTestResult[@outcome='Failed']", ns):
        msg = r.find("t:Output/t:ErrorInfo/t:Message", ns)
        first = (msg.text or "").strip().splitlines()[0][:300] if msg is not None and msg.text else ""
        print(f"FAILED {r.get('testName')}: {first}")
    c = root.find("t:ResultSummary/t:Counters", ns)
    passed += int(c.get("passed")); failed += int(c.get("failed")) + int(c.get("error"))
    skipped += int(c.get("notExecuted"))
# fuzz/run.sh writes one line per target: "passed", "skipped: why" or "failed: why".
for f in sorted(glob.glob(sys.argv[1] + "/fuzz-*.result")):
    name = f.rsplit("/", 1)[1][:-len(".result")]
    outcome = open(f).read().strip()
    if outcome == "passed":
        passed += 1
    elif outcome.startswith("skipped"):
        skipped += 1
    else:
        failed += 1
        print(f"FAILED {name}: {outcome[:300]}")
if sys.argv[2] != "0" and failed == 0:
    failed = 1  # a project failed without a result file: a crash counts as a failure
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
PY
