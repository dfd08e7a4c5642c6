#!/usr/bin/env bash
# Runs afl-fuzz on the policy and/or settings loader for a given time, one target after the
# other (one afl-fuzz at a time: the machine has two cores), and exits non-zero on any crash or
# hang. `make fuzz` and tests/run-tests.sh call it; docs/fuzzing.md says how to read what it leaves.
#
#   fuzz/run.sh [--target policy|settings|all] [--seconds N] [--results DIR]
#
# --results DIR writes DIR/fuzz-TARGET.result, one line "passed" or "failed: why", which
# tests/run-tests.sh counts in its closing "N passed, N failed, N skipped" line.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
target=all
seconds=60
results=""
while [ $# -gt 0 ]; do
  case "$1" in
    --target) target="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --results) results="$2"; shift 2 ;;
    *) echo "fuzz/run.sh: unknown argument '$1' (see the comment at the top)" >&2; exit 2 ;;
  esac
done
case "$target" in
  all) targets=(policy settings) ;;
  policy|settings) targets=("$target") ;;
  *) echo "fuzz/run.sh: --target is policy, settings or all, not '$target'" >&2; exit 2 ;;
esac

out="$root/artifacts/fuzz"
publish="$out/publish"

# One result line per target; the reason is what a CI log's last screen shows.
record() {
  local name="$1" outcome="$2"
  echo "  FUZZ     $name: $outcome"
  [ -n "$results" ] && { mkdir -p "$results"; echo "$outcome" > "$results/fuzz-$name.result"; }
}
fail_all() {
  for t in "${targets[@]}"; do record "$t" "failed: $1"; done
  exit 1
}

if ! command -v afl-fuzz >/dev/null; then
  # Under CI a missing tool is a failure, never a skip (`make test` installs it).
  [ "${CI:-}" = true ] && fail_all "afl-fuzz is not installed (make deps-fuzz installs Debian's afl++)"
  for t in "${targets[@]}"; do record "$t" "skipped: afl-fuzz is not installed (make deps-fuzz)"; done
  exit 0
fi

# A fresh publish every run: sharpfuzz rewrites the assemblies in place and refuses to
# instrument one twice. Its own ArtifactsPath, so a `make build` beside it never races it.
echo "  PUBLISH  fuzz/Microseg.Fuzz (instrumented)"
rm -rf "$publish"
mkdir -p "$out"  # a fresh checkout has no artifacts/ yet
(cd "$root" && dotnet tool restore >/dev/null) || fail_all "dotnet tool restore failed (.config/dotnet-tools.json)"
dotnet publish "$root/fuzz/Microseg.Fuzz/Microseg.Fuzz.csproj" -c Release -o "$publish" \
  --artifacts-path "$out/dotnet" -p:GenerateDocumentationFile=false --nologo -v quiet -clp:NoSummary >"$out.publish.log" 2>&1 \
  || { cat "$out.publish.log" >&2; fail_all "publishing the harness failed"; }
# The loaders and the YAML library they parse with; only the settings code of the daemon's
# assembly, so its map is not spent on code no input reaches.
instrument() { (cd "$root" && dotnet tool run sharpfuzz "$@") >>"$out.publish.log" 2>&1 || { cat "$out.publish.log" >&2; fail_all "sharpfuzz could not instrument $1"; }; }
instrument "$publish/Microseg.Policy.dll"
instrument "$publish/YamlDotNet.dll"
instrument "$publish/microsegd.dll" Microseg.Agent.Settings Microseg.Agent.AgentMain

status=0
for t in "${targets[@]}"; do
  findings="$out/$t"
  rm -rf "$findings"
  mkdir -p "$findings/tmp"
  echo "  AFL      $t for ${seconds}s (corpus: $(ls "$root/fuzz/corpus/$t" | wc -l) files; output in ${findings#"$root"/})"
  # AFL_SKIP_BIN_CHECK: afl runs `dotnet`, which carries no afl instrumentation of its own.
  # AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES: the host's core_pattern may pipe to a handler; we
  # do not change the host's settings. AFL_NO_AFFINITY: the cores are shared with other work.
  # -t 5000: JIT compiling a path the first time takes a few hundred ms; a hang is 10x that.
  # timeout: -V bounds the fuzzing, not the calibration before it; this bounds the whole.
  TMPDIR="$findings/tmp" AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
  AFL_NO_AFFINITY=1 AFL_NO_UI=1 AFL_FORKSRV_INIT_TMOUT=60000 \
    timeout --kill-after=30 $((seconds + 300)) \
    afl-fuzz -i "$root/fuzz/corpus/$t" -o "$findings" -x "$root/fuzz/dict/$t.dict" -t 5000 -m none -V "$seconds" \
      -- dotnet "$publish/Microseg.Fuzz.dll" "$t" >"$findings/afl.log" 2>&1
  rc=$?
  stats="$findings/default/fuzzer_stats"
  if [ ! -f "$stats" ]; then
    tail -20 "$findings/afl.log" >&2
    record "$t" "failed: afl-fuzz did not start (exit $rc; see ${findings#"$root"/}/afl.log)"
    status=1
    continue
  fi
  field() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
  crashes=$(find "$findings/default/crashes" -name 'id:*' 2>/dev/null | wc -l)
  hangs=$(find "$findings/default/hangs" -name 'id:*' 2>/dev/null | wc -l)
  echo "  AFL      $t: $(field execs_done) execs ($(field execs_per_sec)/s), coverage $(field bitmap_cvg)," \
       "corpus $(field corpus_count), $crashes crashes, $hangs hangs"
  if [ "$crashes" -gt 0 ] || [ "$hangs" -gt 0 ]; then
    for f in "$findings"/default/crashes/id:* "$findings"/default/hangs/id:*; do
      [ -f "$f" ] && echo "           ${f#"$root"/}"
    done
    echo "           reproduce: dotnet artifacts/fuzz/publish/Microseg.Fuzz.dll $t FILE; keep it: docs/fuzzing.md" >&2
    record "$t" "failed: $crashes crashes, $hangs hangs (inputs under ${findings#"$root"/}/default)"
    status=1
  elif [ "$rc" -ne 0 ]; then
    tail -20 "$findings/afl.log" >&2
    record "$t" "failed: afl-fuzz exited $rc (see ${findings#"$root"/}/afl.log)"
    status=1
  else
    record "$t" "passed"
  fi
  rm -rf "$findings/tmp"
done
# The publish and each target's calibration come on top of --seconds: say what it all took.
echo "  FUZZ     done in ${SECONDS}s"
exit $status
