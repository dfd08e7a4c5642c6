#!/usr/bin/env bash
# make demo: Microseg from nothing to enforcement, on a lab of network namespaces it creates and
# removes. A three-tier app (web -> api:8080 -> db:5432) and an attacker share a bridge; microsegd
# watches the app in monitor mode, discovers who talks to whom, suggests a policy, enforces it, and
# the attacker's port scan then finds nothing open while the app keeps working.
#
# Everything it creates is named ms-demo-* (namespaces, interfaces, /sys/fs/bpf/ms-demo-PID) or
# lives in a temporary directory; the cleanup runs on exit, error, Ctrl-C and SIGTERM, and checks
# that the host is left as it was. Outputs kept: artifacts/demo/ (the map, the policies, the log).
# Environment: CONFIG (Release), DEMO_SCAN_PORTS (1-10000), DEMO_TRAFFIC_SECONDS (5).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
config="${CONFIG:-Release}"
scan_ports="${DEMO_SCAN_PORTS:-1-10000}"
traffic_seconds="${DEMO_TRAFFIC_SECONDS:-5}"

microsegd="$repo/artifacts/dotnet/bin/Microseg.Agent/${config,,}/microsegd"
microsegctl="$repo/artifacts/dotnet/bin/Microseg.Cli/${config,,}/microsegctl"
service="$repo/scripts/demo/service.py"
python=/usr/bin/python3
out="$repo/artifacts/demo"

# The lab: one namespace holds the bridge; each workload has its own namespace and address.
prefix=ms-demo
net_ns=$prefix-net
bridge=$prefix-br
workloads=(web api db attacker)
declare -A address=([web]=10.77.0.10 [api]=10.77.0.20 [db]=10.77.0.30 [attacker]=10.77.0.66)
# Each workload interface gets its own ifindex: microsegd's per-interface counters are keyed by
# ifindex, and interfaces made alike in fresh namespaces would all be number 2.
declare -A index=([web]=11 [api]=12 [db]=13 [attacker]=14)
ns() { echo "$prefix-$1"; }           # the workload's namespace
ifname() { echo "$1-eth0"; }          # its interface (inside its namespace)

tmp=""
pin_dir="/sys/fs/bpf/$prefix-$$"
daemon_pid=""
created_namespaces=()
failures=0
step_number=0
steps_total=13
started=$SECONDS
step_started=$SECONDS

if [[ -t 1 ]]; then bold=$'\e[1m' green=$'\e[32m' red=$'\e[31m' dim=$'\e[2m' reset=$'\e[0m'; else bold="" green="" red="" dim="" reset=""; fi

step() {
    if ((step_number > 0)); then printf '%s   (%d s)%s\n' "$dim" $((SECONDS - step_started)) "$reset"; fi
    step_number=$((step_number + 1))
    step_started=$SECONDS
    printf '\n%s== Step %d/%d: %s%s\n' "$bold" "$step_number" "$steps_total" "$1" "$reset"
}
say() { printf '   %s\n' "$@"; }
ok() { printf '   %sOK%s   %s\n' "$green" "$reset" "$*"; }
fail() { printf '   %sFAIL%s %s\n' "$red" "$reset" "$*"; failures=$((failures + 1)); }
# Shows a command, then runs it with its output indented.
show() {
    local shown="$*"
    shown=${shown//$microsegctl/microsegctl}
    printf '   %s$ %s%s\n' "$dim" "${shown//$repo\//}" "$reset"
    "$@" 2>&1 | sed 's/^/     /'
    return "${PIPESTATUS[0]}"
}
# Runs a command in the background and waits for it, so Ctrl-C (or SIGTERM) is handled at once.
run() { "$@" & wait $!; }
# microsegctl status, only the sections named (the first line always).
status() {
    local sections="$*"
    printf '   %s$ microsegctl status%s\n' "$dim" "$reset"
    "$microsegctl" status --socket "$tmp/microseg.sock" |
        awk -v want=" $sections " 'NR == 1 { print; next } /^$/ { keep = 0; next }
            /^[A-Z]/ { keep = index(want, " " $1 " ") > 0; if (keep) print "" } keep' | sed 's/^/     /'
    return "${PIPESTATUS[0]}"
}
in_ns() { local n; n=$(ns "$1"); shift; ip netns exec "$n" "$@"; }

daemon_args() {
    echo --config /dev/null
    for w in web api db; do echo --interface "$(ifname "$w")@$(ns "$w")"; done
    echo --policy "$tmp/policy.yaml" --bpf-dir "$repo/artifacts/bpf" --state-dir "$tmp/state" \
        --pin-dir "$pin_dir" --control-socket "$tmp/microseg.sock" --metrics-address "127.0.0.1:$metrics_port" \
        --flow-log "$tmp/flows.jsonl" --reload-debounce 200ms --interface-poll 1s
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    set +e
    exec 1>&7 2>&8 # a signal may arrive while a command's output is redirected: back to the terminal
    step_number=$((steps_total - 1))
    step "clean up: stop microsegd, uninstall, remove the lab"
    # Our own background jobs (a traffic client, a scan) first.
    local jobs_left
    jobs_left=$(jobs -pr)
    [[ -n $jobs_left ]] && kill $jobs_left 2>/dev/null
    if [[ -n $daemon_pid ]] && kill -0 "$daemon_pid" 2>/dev/null; then
        kill -TERM "$daemon_pid"
        for _ in $(seq 50); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.2; done
        kill -0 "$daemon_pid" 2>/dev/null && kill -KILL "$daemon_pid"
        wait "$daemon_pid" 2>/dev/null
        say "microsegd stopped"
    fi
    if [[ -n $tmp && -d $tmp ]]; then
        # shellcheck disable=SC2046
        if "$microsegd" $(daemon_args) --uninstall >"$tmp/uninstall.log" 2>&1; then
            say "microsegd --uninstall: programs detached, pins removed"
        else
            say "microsegd --uninstall failed:"; sed 's/^/     /' "$tmp/uninstall.log"
        fi
        [[ -f $tmp/microsegd.log ]] && mkdir -p "$out" && cp "$tmp/microsegd.log" "$out/microsegd.log"
    fi
    [[ -d $pin_dir ]] && rm -rf "$pin_dir"
    local n
    for n in "${created_namespaces[@]}"; do
        # The services and clients started in it (nothing else runs there), then the namespace:
        # its interfaces, the veth pairs and the bridge go with it.
        ip netns pids "$n" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
        ip netns delete "$n" 2>/dev/null
    done
    [[ ${#created_namespaces[@]} -gt 0 ]] && say "namespaces removed: ${created_namespaces[*]}"
    [[ -n $tmp ]] && rm -rf "$tmp"

    # The host as we found it: no namespace, interface, bpffs entry or process of ours.
    local left=""
    ip netns list | grep -q "^$prefix-" && left+=" namespaces($(ip netns list | grep "^$prefix-" | cut -d' ' -f1 | tr '\n' ' '))"
    ip -o link show | grep -q "$prefix\|-eth0@" && left+=" interfaces"
    ls /sys/fs/bpf | grep -q "^$prefix-" && left+=" bpffs"
    [[ -n $daemon_pid ]] && kill -0 "$daemon_pid" 2>/dev/null && left+=" microsegd"
    if [[ -z $left ]]; then
        ok "host clean: ip netns list, ip link and /sys/fs/bpf hold nothing of the demo's"
    else
        fail "left behind:$left"
        status=1
    fi
    printf '%s   (%d s)%s\n' "$dim" $((SECONDS - step_started)) "$reset"

    if ((status == 0 && failures > 0)); then status=1; fi
    printf '\n%s== %s in %d s%s\n' "$bold" \
        "$(if ((status == 0)); then echo "demo passed: every check held"
        elif ((status == 130)); then echo "demo interrupted; the host is left as it was found"
        else echo "demo FAILED (exit $status, $failures check(s) failed)"; fi)" \
        $((SECONDS - started)) "$reset"
    exit "$status"
}
exec 7>&1 8>&2 # the transcript's streams, for the cleanup
trap cleanup EXIT
trap 'echo >&7; echo "   interrupted: cleaning up" >&7; exit 130' INT TERM

# Scans from the attacker; prints the open ports per host as "10.77.0.20: 8080/tcp ...".
scan() {
    local targets=("${address[web]}" "${address[api]}" "${address[db]}")
    say "attacker (${address[attacker]})\$ nmap -Pn -sT -p $scan_ports --max-retries 1 --host-timeout 60s -T4 --min-rate 5000 ${targets[*]}"
    run in_ns attacker nmap -Pn -sT -p "$scan_ports" --max-retries 1 --host-timeout 60s -T4 --min-rate 5000 -n \
        -oG "$tmp/scan.gnmap" "${targets[@]}" >"$tmp/scan.txt" 2>&1 || true
    grep -E "^(Nmap done|Skipping host)" "$tmp/scan.txt" | sed 's/^/     /'
    local t line
    for t in "${targets[@]}"; do
        line=$(grep -E "^Host: $t .*Ports:" "$tmp/scan.gnmap" | grep -oE '[0-9]+/open/tcp' | sed 's|/open/tcp|/tcp|' | tr '\n' ' ' || true)
        printf '     %-11s open: %s\n' "$t" "${line:-none}"
    done
}
open_ports() { { grep -E "^Host: $1 .*Ports:" "$tmp/scan.gnmap" || true; } | { grep -oE '[0-9]+/open/tcp' || true; } | cut -d/ -f1 | tr '\n' ' ' | sed 's/ $//'; }

# The daemon's flow log as flow records (docs/flows.md) in $tmp/records.jsonl.
records() {
    "$python" scripts/demo/flowlog.py "$tmp/flows.jsonl" "$tmp/records.jsonl" \
        web="${address[web]}" api="${address[api]}" db="${address[db]}"
}
# Flow data for discover and monitor: the daemon's API when this build serves it, else its flow log.
flow_source() {
    if "$microsegctl" "$1" --help 2>/dev/null | grep -q -- '--socket'; then
        echo --socket "$tmp/microseg.sock"
    else
        records
        echo --flows "$tmp/records.jsonl"
    fi
}

traffic() { # SECONDS: web asks api (which asks db) every 0.2 s
    run in_ns web "$python" "$service" client "${address[api]}:8080" --seconds "$1" | sed 's/^/     /'
    return "${PIPESTATUS[0]}"
}

cat <<TEXT
${bold}Microseg demo${reset}: host-based microsegmentation, from discovery to enforcement.

A lab of network namespaces on one bridge (10.77.0.0/24, inside namespace $net_ns):
  web ${address[web]}  ->  api ${address[api]}:8080  ->  db ${address[db]}:5432        attacker ${address[attacker]}
microsegd (in this host's namespace) attaches its eBPF programs to the interfaces of web, api and db.
TEXT

# ── 1 ────────────────────────────────────────────────────────────────────────────────────────
step "build"
if [[ -z ${MAKELEVEL:-} ]]; then
    make --no-print-directory deps all
fi
for f in "$microsegd" "$microsegctl" "$repo/artifacts/bpf/xdp_ingress.bpf.o" "$repo/artifacts/bpf/tc_egress.bpf.o"; do
    [[ -x $f || -f $f ]] || { fail "missing ${f#"$repo"/} (run make all)"; exit 1; }
done
for tool in nmap ip dot "$python"; do
    command -v "$tool" >/dev/null || { fail "$tool is not installed (make deps installs it)"; exit 1; }
done
[[ $EUID -eq 0 ]] || { fail "the demo needs root (network namespaces, eBPF)"; exit 1; }
ok "microsegd, microsegctl and the eBPF objects are built (make deps all); nmap, graphviz, python3 present"

# ── 2 ────────────────────────────────────────────────────────────────────────────────────────
step "lab up: namespaces, bridge, services"
# What a demo killed outright (SIGKILL: no cleanup) left behind: its namespaces (with what runs
# in them), its microsegd and pins, its temporary directory.
if ip netns list | grep -q "^$prefix-"; then
    say "a previous demo left namespaces behind; removing them"
    for n in $(ip netns list | grep -o "^$prefix-[a-z]*"); do ip netns pids "$n" | xargs -r kill -KILL; ip netns delete "$n"; done
fi
for stale in /sys/fs/bpf/"$prefix"-*; do
    [[ -d $stale ]] || continue
    owner=${stale##*-}
    kill -0 "$owner" 2>/dev/null && continue
    # Its microsegd, if it still runs: the process started with exactly this --pin-dir.
    for proc in /proc/[0-9]*; do
        if { tr '\0' '\n' <"$proc/cmdline"; } 2>/dev/null | grep -qxF -- "$stale"; then
            say "stopping a previous demo's microsegd (pid ${proc#/proc/})"
            kill -TERM "${proc#/proc/}" 2>/dev/null
            for _ in $(seq 50); do kill -0 "${proc#/proc/}" 2>/dev/null || break; sleep 0.2; done
        fi
    done
    say "removing a previous demo's pins: $stale"
    rm -rf "$stale"
done
for stale in /tmp/ms-demo.*; do
    # A killed demo's temporary directory (its namespaces, the only sign of a running demo, are gone).
    if [[ -d $stale ]]; then say "removing a previous demo's directory: $stale"; rm -rf "$stale"; fi
done
tmp=$(mktemp -d /tmp/ms-demo.XXXXXX)
mkdir -p "$out" "$tmp/state"
metrics_port=$(comm -23 <(seq 19469 19569) <(ss -Htln | awk '{print $4}' | grep -oE '[0-9]+$' | sort -u) | head -1)
created_namespaces+=("$net_ns")
ip netns add "$net_ns"
ip -n "$net_ns" link set lo up
ip -n "$net_ns" link add "$bridge" type bridge
ip -n "$net_ns" link set "$bridge" up
for w in "${workloads[@]}"; do
    n=$(ns "$w")
    created_namespaces+=("$n")
    ip netns add "$n"
    ip netns exec "$n" sh -c "echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6"
    ip -n "$net_ns" link add "$w-port" index $((index[$w] + 10)) type veth peer name "$(ifname "$w")" index "${index[$w]}" netns "$n"
    ip -n "$net_ns" link set "$w-port" master "$bridge" up
    ip -n "$n" link set lo up
    ip -n "$n" addr add "${address[$w]}/24" dev "$(ifname "$w")"
    ip -n "$n" link set "$(ifname "$w")" up
    say "$(printf '%-9s namespace %-16s %-8s %s' "$w" "$n" "$(ifname "$w")" "${address[$w]}")"
done
in_ns db "$python" "$service" serve db "${address[db]}:5432" --lifetime 900 2>>"$tmp/services.log" &
in_ns api "$python" "$service" serve api "${address[api]}:8080" --upstream "${address[db]}:5432" --lifetime 900 2>>"$tmp/services.log" &
for _ in $(seq 50); do
    in_ns api ss -Htln | grep -q ":8080" && in_ns db ss -Htln | grep -q ":5432" && break
    sleep 0.1
done
say "services: db listens on tcp/5432; api on tcp/8080 and asks db on every request"
if run in_ns web "$python" "$service" client "${address[api]}:8080" --seconds 0.1 >/dev/null; then
    ok "web -> api -> db answers (before Microseg)"
else
    fail "the lab's app does not answer"; exit 1
fi

# ── 3 ────────────────────────────────────────────────────────────────────────────────────────
step "start microsegd with the lab policy (monitor mode)"
cp scripts/demo/lab-policy.yaml "$tmp/policy.yaml"
cp scripts/demo/lab-policy.yaml "$out/lab-policy.yaml"
say "the lab policy (scripts/demo/lab-policy.yaml): identities web, api, db; each an endpoint in"
say "monitor mode with default-deny ingress; no rules yet"
# shellcheck disable=SC2046
say "\$ microsegd $(daemon_args | tr '\n' ' ' | sed "s|$repo/||g")"
# shellcheck disable=SC2046
"$microsegd" $(daemon_args) >"$tmp/microsegd.log" 2>&1 &
daemon_pid=$!
ready=""
for _ in $(seq 150); do
    kill -0 "$daemon_pid" 2>/dev/null || break
    if "$microsegctl" status --socket "$tmp/microseg.sock" >"$tmp/status.txt" 2>/dev/null; then ready=1; break; fi
    sleep 0.2
done
if [[ -z $ready ]]; then
    fail "microsegd did not become ready; its log:"; sed 's/^/     /' "$tmp/microsegd.log"; exit 1
fi
status Policy Interfaces Endpoints
ok "microsegd is ready (pid $daemon_pid), attached to web, api and db"

# ── 4 ────────────────────────────────────────────────────────────────────────────────────────
step "application traffic for ${traffic_seconds} s (monitor mode: nothing is dropped)"
if traffic "$traffic_seconds"; then ok "the app works under monitoring"; else fail "the app failed under monitoring"; fi
sleep 1 # the daemon drains the ring buffer into the flow log
say "flow records logged by microsegd: $(wc -l <"$tmp/flows.jsonl") (microsegd --flow-log, JSON lines)"

# ── 5 ────────────────────────────────────────────────────────────────────────────────────────
step "discover: who talks to whom"
# shellcheck disable=SC2046
show "$microsegctl" discover $(flow_source discover) --svg "$out/discovery.svg"
if [[ -s $out/discovery.svg ]]; then ok "dependency map rendered: artifacts/demo/discovery.svg"; else fail "no SVG rendered"; fi
records
cp "$tmp/records.jsonl" "$out/flows-monitor.jsonl"

# ── 6 ────────────────────────────────────────────────────────────────────────────────────────
step "monitor: what enforcing the lab policy would block"
# shellcheck disable=SC2046
show "$microsegctl" monitor $(flow_source monitor)
ok "with no rules yet, enforcing would break the app: each of its flows is a would-deny"

# ── 7 ────────────────────────────────────────────────────────────────────────────────────────
step "suggest a policy that allows exactly what was observed"
# Suggested from the app's traffic only (the flows so far), before the attacker shows up.
show "$microsegctl" policy suggest --flows "$out/flows-monitor.jsonl" --identities scripts/demo/lab-policy.yaml \
    -o "$out/suggested-policy.yaml"
show cat "$out/suggested-policy.yaml"
if show "$microsegctl" policy check "$out/suggested-policy.yaml"; then ok "the suggestion is a valid policy"; else fail "the suggestion does not pass policy check"; fi

# ── 8 ────────────────────────────────────────────────────────────────────────────────────────
step "the attacker scans, still in monitor mode"
scan
api_open=$(open_ports "${address[api]}")
db_open=$(open_ports "${address[db]}")
if [[ $api_open == *8080* && $db_open == *5432* ]]; then
    ok "monitor mode blocks nothing: nmap finds api:8080 and db:5432 open"
else
    fail "expected nmap to find api:8080 and db:5432 open in monitor mode (api: '${api_open}', db: '${db_open}')"
fi

# ── 9 ────────────────────────────────────────────────────────────────────────────────────────
step "switch the workloads to enforce"
sed -E 's/^(\s*(defaults: *\{ *)?mode: *)monitor/\1enforce/' "$out/suggested-policy.yaml" >"$out/enforce-policy.yaml"
show "$microsegctl" policy diff "$tmp/policy.yaml" "$out/enforce-policy.yaml" || true
cp "$out/enforce-policy.yaml" "$tmp/policy.yaml.new"
mv "$tmp/policy.yaml.new" "$tmp/policy.yaml"
show "$microsegctl" reload --socket "$tmp/microseg.sock" || fail "microsegctl reload failed"
say "(microsegd also watches the file; its own reload of the same file may follow, one generation more)"
status Policy Endpoints || true
ok "the enforcing policy is live (the suggested policy with mode enforce: artifacts/demo/enforce-policy.yaml)"

# ── 10 ───────────────────────────────────────────────────────────────────────────────────────
step "application traffic under enforcement"
if traffic "$traffic_seconds"; then ok "the app keeps working: web -> api -> db is allowed"; else fail "enforcement broke the app"; fi

# ── 11 ───────────────────────────────────────────────────────────────────────────────────────
step "the attacker scans again, now under enforcement (while the app keeps working)"
scan_seconds_start=$SECONDS
ip netns exec "$(ns web)" "$python" "$service" client "${address[api]}:8080" --seconds 15 >"$tmp/during-scan.txt" 2>&1 &
traffic_during=$!
scan
during_status=0; wait "$traffic_during" || during_status=$?
total_open=""
for t in "${address[web]}" "${address[api]}" "${address[db]}"; do total_open+=$(open_ports "$t"); done
if [[ -z $total_open ]]; then
    ok "lateral movement blocked: nmap finds no open port on web, api or db ($((SECONDS - scan_seconds_start)) s of scanning)"
else
    fail "nmap still finds open ports under enforcement: $total_open"
fi
if grep -q "Skipping host" "$tmp/scan.txt"; then say "(nmap gave up on some hosts after 60 s: every probe was dropped)"; fi
sed 's/^/     /' "$tmp/during-scan.txt"
if ((during_status == 0)); then ok "meanwhile, web -> api -> db kept flowing"; else fail "the app failed during the scan"; fi
say "what microsegd reported (the monitor report now holds the denied scan; busiest first, first 12 rows):"
# shellcheck disable=SC2046
"$microsegctl" monitor $(flow_source monitor) >"$tmp/monitor-after.txt" 2>&1 || true
head -13 "$tmp/monitor-after.txt" | sed 's/^/     /'
say "... $(($(wc -l <"$tmp/monitor-after.txt") - 1)) rows in all (artifacts/demo/monitor-after-scan.txt)"
cp "$tmp/monitor-after.txt" "$out/monitor-after-scan.txt"

# ── 12 ───────────────────────────────────────────────────────────────────────────────────────
step "key metrics (Prometheus, http://127.0.0.1:$metrics_port/metrics)"
if "$python" -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())' \
    "http://127.0.0.1:$metrics_port/metrics" >"$tmp/metrics.txt"; then
    # Summed over interfaces, directions and reasons; the whole exposition is in artifacts/demo/metrics.txt.
    awk '
        /^microseg_packets_total\{/ { match($0, /verdict="[^"]*"/); v = substr($0, RSTART + 9, RLENGTH - 10); packets[v] += $NF
            match($0, /interface="[^"]*"/); i = substr($0, RSTART + 11, RLENGTH - 12); interfaces[i] = 1; byif[i, v] += $NF }
        /^microseg_rule_hits_packets_total\{/ { match($0, /rule="[^"]*"/); r = substr($0, RSTART + 6, RLENGTH - 7); rules[r] += $NF }
        /^microseg_events_delivered_total / { delivered = $NF }
        /^microseg_events_lost_total\{/ { match($0, /reason="[^"]*"/); lost[substr($0, RSTART + 8, RLENGTH - 9)] = $NF }
        /^microseg_policy_reloads_total\{/ { match($0, /result="[^"]*"/); reloads[substr($0, RSTART + 8, RLENGTH - 9)] = $NF }
        /^microseg_policy_generation / { generation = $NF }
        END {
            printf "microseg_packets_total      %12s %12s %12s %12s\n", "allow", "deny", "would_deny", "unenforced"
            for (i in interfaces)
                printf "  %-25s %12d %12d %12d %12d\n", i, byif[i, "allow"], byif[i, "deny"], byif[i, "would_deny"], byif[i, "unenforced"]
            printf "  %-25s %12d %12d %12d %12d\n", "all", packets["allow"], packets["deny"], packets["would_deny"], packets["unenforced"]
            print "microseg_rule_hits_packets_total by rule:"
            for (r in rules) printf "  %-18s %10d\n", r, rules[r]
            printf "flow events: %d delivered", delivered
            for (r in lost) printf ", %d lost (%s)", lost[r], r
            printf "\npolicy: generation %d; reloads %d succeeded, %d failed\n", generation, reloads["succeeded"], reloads["failed"]
        }' "$tmp/metrics.txt" | sed 's/^/     /'
    cp "$tmp/metrics.txt" "$out/metrics.txt"
    if grep -qE '^microseg_packets_total\{[^}]*verdict="deny"[^}]*\} [1-9]' "$tmp/metrics.txt"; then
        ok "packets denied by enforcement are counted"
    else
        fail "no denied packets in microseg_packets_total"
    fi
else
    fail "the metrics endpoint did not answer"
fi
# The cleanup (step 13) runs from the EXIT trap.
