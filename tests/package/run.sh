#!/usr/bin/env bash
# The package test: the .deb in a real systemd (PID 1) inside a systemd-nspawn container on a
# Debian 12 root, against the real kernel. Ends with "package test: N passed, N failed, N skipped".
#   tests/package/run.sh DEB
# The root is made once and cached (prepare-root.sh); each run boots a copy of it, so a run
# never changes the cache and leaves nothing beside it (MICROSEG_TEST_CACHE names another cache).
# The container has its own network namespace (--private-network): microsegd's default
# "every interface" means the container's, never the host's.
set -uo pipefail
deb="$(realpath "${1:?usage: run.sh DEB}")"
here="$(cd "$(dirname "$0")" && pwd)"
cache="${MICROSEG_TEST_CACHE:-/var/cache/microseg-test}"
root="$cache/bookworm-root"
# This run's files (the container's copy of the root, what is shared with it, the logs) live in
# one directory of their own, removed on exit. It is made first, so the first check on a machine
# that never ran the test has somewhere to write; beside the cached root, so the copy can reflink.
mkdir -p "$cache" || { echo "error: cannot make the cache directory $cache" >&2; exit 1; }
work="$(mktemp -d "$cache/run.XXXXXX")" || { echo "error: cannot make a run directory in $cache" >&2; exit 1; }
run="$work/root"
share="$work/share"
passed=0 failed=0 skipped=0
start=$SECONDS

ok()   { echo "ok   $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
# check DESCRIPTION COMMAND...: one assertion, counted.
check() {
  local what="$1"; shift
  if "$@" > "$work/check" 2>&1; then ok "$what"; else fail "$what"; tail -5 "$work/check" | sed 's/^/  | /'; fi
}
finish() {
  echo "package test: $((SECONDS - start)) s"
  echo "package test: $passed passed, $failed failed, $skipped skipped"
  exit $((failed > 0))
}

nspawn_pid=""
cleanup() {
  if [[ -n "$nspawn_pid" ]] && kill -0 "$nspawn_pid" 2>/dev/null; then
    kill -TERM "$nspawn_pid"  # nspawn asks the container's systemd to power off
    for _ in $(seq 30); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 1; done
    kill -KILL "$nspawn_pid" 2>/dev/null
    wait "$nspawn_pid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT
# A signal ends the run through exit, so the EXIT trap removes the container and the run's files.
trap 'exit 130' INT TERM HUP

# ── The .deb itself ────────────────────────────────────────────────────────────────────────
t=$SECONDS
lint="$("$here/check-deb.sh" "$deb" 2>&1)"; lint_status=$?
grep -v -E '^(ok|FAIL) ' <<< "$lint"
check "$(grep -E '^(ok|FAIL) ' <<< "$lint" | tail -1 | cut -c6-)" test "$lint_status" = 0
echo "  lintian  $((SECONDS - t)) s"
# Native AOT (issue 11): two executables and no managed runtime, so the package stays small.
deb_kb=$(( $(stat -c %s "$deb") / 1024 ))
installed_kb="$(dpkg-deb -f "$deb" Installed-Size)"
check "the .deb is at most 20 MB ($((deb_kb / 1024)) MB)" test "$deb_kb" -le $((20 * 1024))
check "installed, at most 60 MB (Installed-Size $((installed_kb / 1024)) MB)" test "$installed_kb" -le $((60 * 1024))
check "no managed runtime in the package (no .dll, no libcoreclr.so)" sh -c "! dpkg-deb -c '$deb' | grep -E '\.dll\$|libcoreclr\.so'"
# Native AOT's ELF files carry a __managedcode section (the compiled IL); a .NET apphost has none.
for tool in microsegd microsegctl; do
  check "$tool is a Native AOT executable (a __managedcode section)" \
    sh -c "dpkg-deb --fsys-tarfile '$deb' | tar -xO ./usr/lib/microseg/$tool | grep -qa __managedcode"
done

# ── The container ──────────────────────────────────────────────────────────────────────────
t=$SECONDS
"$here/prepare-root.sh" "$root" || { fail "the Debian 12 root could not be made"; finish; }
echo "  ROOT     $((SECONDS - t)) s"
cp -a --reflink=auto "$root" "$run"
mkdir -p "$share"
cp "$deb" "$share/microseg.deb"
cp "$here/check-unit.sh" "$share/"

# The upgrade: the same package, rebuilt with a later version.
t=$SECONDS
version="$(dpkg-deb -f "$deb" Version)"
upgrade_version="$version+upgrade1"
dpkg-deb -R "$deb" "$share/upgrade"
sed -i "s/^Version: .*/Version: $upgrade_version/" "$share/upgrade/DEBIAN/control"
dpkg-deb --root-owner-group -Zxz -z1 -b "$share/upgrade" "$share/microseg-upgrade.deb" >/dev/null
rm -rf "$share/upgrade"
echo "  REPACK   $upgrade_version in $((SECONDS - t)) s"

# --keep-unit: no scope of its own (there may be no systemd on the host to make one);
# BPF needs the bpf and perf_event_open system calls and CAP_BPF, CAP_PERFMON inside.
systemd-nspawn --quiet --keep-unit --register=no --boot --console=passive \
  --directory="$run" --machine="microseg-test-$$" --private-network \
  --system-call-filter='bpf perf_event_open' --capability=CAP_BPF,CAP_PERFMON \
  --bind-ro="$share:/test" > "$work/console" 2>&1 &
nspawn_pid=$!
init=""
for _ in $(seq 100); do
  init="$(ps -o pid= --ppid "$nspawn_pid" 2>/dev/null | tr -d ' ' | head -1)"
  [[ -n "$init" ]] && [[ "$(cat "/proc/$init/comm" 2>/dev/null)" == systemd ]] && break
  init=""; sleep 0.1
done
[[ -n "$init" ]] || { fail "systemd did not start as the container's PID 1"; cat "$work/console"; finish; }

# A command inside the container: in all its namespaces, with a clean environment.
c() { nsenter -t "$init" -a env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }
# From the client namespace to the container's address: does a TCP connection open?
connects() { c ip netns exec client nc -z -w 2 10.77.0.1 "$1" 2>/dev/null; }
blocked() { ! connects "$1"; }
not() { ! "$@"; }
active() { [[ "$(c systemctl is-active microseg 2>/dev/null)" == active ]]; }
main_pid() { c systemctl show -p MainPID --value microseg; }
# wait_for SECONDS COMMAND...: polls every half second.
wait_for() { local n=$(($1 * 2)); shift; for _ in $(seq "$n"); do "$@" && return 0; sleep 0.5; done; return 1; }

state=""
for _ in $(seq 120); do  # until systemd answers, then until it has finished booting
  state="$(c systemctl is-system-running 2>&1)"
  [[ "$state" == running || "$state" == degraded ]] && break
  sleep 0.5
done
check "the container booted systemd 252 as PID 1 (state: $state)" test "$state" = running -o "$state" = degraded

# This machine's nspawn leaves /sys/kernel, /sys/devices, … empty in the container and has no
# /sys/fs/bpf: put a sysfs of the container's own network namespace under them, and bpffs
# at /sys/fs/bpf, as a host's boot would have.
c sh -ec '
  mkdir -p /run/microseg-test/sysfs
  mount -t sysfs -o ro,nosuid,nodev,noexec sysfs /run/microseg-test/sysfs
  mount -o remount,rw /sys
  for d in /run/microseg-test/sysfs/*; do
    n=${d##*/}; [ "$n" = fs ] && continue
    mkdir -p /sys/$n; mount --bind "$d" /sys/$n
  done
  mkdir -p /sys/fs/bpf
  mount -o remount,ro /sys
  mount -t bpf -o mode=0700 bpf /sys/fs/bpf' || fail "could not mount sysfs and bpffs in the container"

# A veth: ms-test0 (10.77.0.1) in the container, its peer (10.77.0.2) in the namespace "client";
# listeners on 8080 and 9090.
c sh -ec '
  ip link add ms-test0 type veth peer name ms-peer0
  ip netns add client
  ip link set ms-peer0 netns client
  ip addr add 10.77.0.1/24 dev ms-test0; ip link set ms-test0 up
  ip netns exec client ip addr add 10.77.0.2/24 dev ms-peer0
  ip netns exec client ip link set ms-peer0 up; ip netns exec client ip link set lo up
  systemd-run --quiet --unit=listen-8080 nc -lk 8080
  systemd-run --quiet --unit=listen-9090 nc -lk 9090' || fail "could not set up the veth and listeners"
# Policy changes are applied by `systemctl reload` alone in this test: the daemon's own file
# watcher waits 10 minutes after a change.
c sh -c 'mkdir -p /etc/microseg && printf "reloadDebounce: 10m\n" > /etc/microseg/microsegd.yaml'

# ── Install ────────────────────────────────────────────────────────────────────────────────
t=$SECONDS
c apt-get install -y -q -o Dpkg::Options::=--force-confold /test/microseg.deb > "$work/install.log" 2>&1
check "apt installs $(basename "$deb") ($((SECONDS - t)) s)" grep -q "^Setting up microseg ($version)" "$work/install.log"
check "systemctl is-active microseg: active after install" wait_for 30 active
check "the unit is enabled" test "$(c systemctl is-enabled microseg 2>&1)" = enabled
c sh /test/check-unit.sh | tee "$work/unit.log" | sed 's/^/  /'
check "systemd-analyze verify: nothing on stderr" grep -q '^ok   systemd-analyze verify' "$work/unit.log"
check "systemd-analyze security: exposure at most 3.0" grep -q '^ok   systemd-analyze security' "$work/unit.log"
check "the group microseg exists" c getent group microseg
check "the control socket is the microseg group's" test "$(c stat -c %G /run/microseg/microseg.sock 2>&1)" = microseg
check "microsegctl status answers" c microsegctl status
check "man pages render: microsegd(8), microsegctl(8), microseg-policy(5)" \
  c sh -c 'for p in 8/microsegd 8/microsegctl 5/microseg-policy; do MANWIDTH=80 man ${p%%/*} ${p#*/} >/dev/null 2>&1 || exit 1; done'

xdp_id() { c ip -j link show ms-test0 | grep -o '"xdp":{[^}]*"id":[0-9]*' | grep -o '[0-9]*$'; }
tc_attached() { local f; f="$(c tc filter show dev ms-test0 egress)"; grep -q ms_tc_egress <<< "$f"; }
has_xdp() { [[ -n "$(xdp_id)" ]]; }
check "microsegd attached XDP to the container's veth" wait_for 10 has_xdp
check "TC egress program attached" tc_attached
ingress_prog="$(xdp_id)"
egress_prog="$(c tc -j filter show dev ms-test0 egress | grep -o '"prog":{[^}]*"id":[0-9]*' | grep -o '[0-9]*$' | head -1)"

# The installed policy monitors only: nothing is blocked.
check "default policy (monitor): tcp 8080 passes" connects 8080
check "default policy (monitor): tcp 9090 passes" connects 9090

# ── Reload ─────────────────────────────────────────────────────────────────────────────────
cat > "$share/enforce.yaml" <<'POLICY'
version: 1
defaults: {mode: monitor, ingress: deny, egress: allow}
identities:
  - name: web
    labels: {app: web}
    addresses: [10.77.0.1]
  - name: client
    labels: {app: client}
    addresses: [10.77.0.2]
endpoints:
  - identity: web
    addresses: [10.77.0.1]
    mode: enforce
rules:
  - name: web-from-client
    action: allow
    direction: ingress
    local: {identity: web}
    peer: {identity: client}
    protocol: tcp
    ports: [8080]
management: []
POLICY
c cp /test/enforce.yaml /etc/microseg/policy.yaml
sleep 2
check "before systemctl reload the new policy is not applied (9090 still passes)" connects 9090
check "systemctl reload microseg succeeds" c systemctl reload microseg
check "after reload: tcp 9090 is dropped (enforce, default deny)" wait_for 15 blocked 9090
check "after reload: tcp 8080 passes (allowed by web-from-client)" connects 8080
# Output is read whole before grep -q: with pipefail, a writer that grep -q leaves early dies of SIGPIPE.
journal_has() { local j; j="$(c journalctl -u microseg --no-pager)"; grep -q -i -E -- "$1" <<< "$j"; }
check "the journal shows the reload came over the control API (ExecReload=microsegctl reload)" journal_has 'requested over the control API'

# A broken file: systemctl reload fails, and the policy enforced before stays.
c cp /etc/microseg/policy.yaml /etc/microseg/policy.good
c sh -c 'printf "version: 1\nrules: [ {name: x, action: allow\n" > /etc/microseg/policy.yaml'
check "systemctl reload microseg fails on a broken policy file" not c systemctl reload microseg
check "after the refused reload: tcp 9090 is still dropped" blocked 9090
check "after the refused reload: tcp 8080 still passes" connects 8080
check "the journal names the refusal" journal_has 'Refused /etc/microseg/policy.yaml'
c mv /etc/microseg/policy.good /etc/microseg/policy.yaml

# ── Watchdog ───────────────────────────────────────────────────────────────────────────────
pid_before="$(main_pid)"
restarts_before="$(c systemctl show -p NRestarts --value microseg)"
c kill -STOP "$pid_before"
t=$SECONDS
check "while the daemon hangs, 9090 stays dropped" blocked 9090
check "while the daemon hangs, 8080 still passes" connects 8080
new_pid() { local p; p="$(main_pid)"; [[ "$p" != 0 && "$p" != "$pid_before" ]] && active; }
check "the watchdog killed the hung daemon and systemd restarted it" wait_for 60 new_pid
echo "  WATCHDOG a new daemon $((SECONDS - t)) s after the hang (WatchdogSec=20s)"
check "NRestarts went up" test "$(c systemctl show -p NRestarts --value microseg)" -gt "$restarts_before"
check "the journal names the watchdog" journal_has 'watchdog timeout'
check "after the watchdog restart: 9090 dropped" blocked 9090
check "after the watchdog restart: 8080 passes" connects 8080

# ── Upgrade ────────────────────────────────────────────────────────────────────────────────
# A prober in the client namespace tries both ports over and over while apt upgrades:
# one 9090 connection that opens, or one 8080 that does not, is a gap.
c sh -c 'rm -f /run/probe.log; while [ ! -e /run/probe.stop ]; do
    if ip netns exec client nc -z -w 1 10.77.0.1 9090 2>/dev/null; then echo "LEAK 9090 $(date +%T.%N)"; else echo "held 9090"; fi
    if ip netns exec client nc -z -w 1 10.77.0.1 8080 2>/dev/null; then echo "held 8080"; else echo "DROP 8080 $(date +%T.%N)"; fi
  done > /run/probe.log' &
prober=$!
sleep 2
pid_before="$(main_pid)"
t=$SECONDS
c apt-get install -y -q -o Dpkg::Options::=--force-confold /test/microseg-upgrade.deb > "$work/upgrade.log" 2>&1
check "apt upgrades to $upgrade_version ($((SECONDS - t)) s)" grep -q "^Setting up microseg ($upgrade_version)" "$work/upgrade.log"
check "after the upgrade a new daemon runs" wait_for 30 new_pid
sleep 2
c touch /run/probe.stop; wait "$prober"
probes="$(c grep -c '' /run/probe.log)"
gaps="$(c grep -c -E '^(LEAK|DROP)' /run/probe.log)"
check "enforcement held throughout the upgrade ($probes probes, $gaps gaps)" test "$probes" -ge 4 -a "$gaps" = 0
[[ "$gaps" != 0 ]] && c grep -E '^(LEAK|DROP)' /run/probe.log | head -5 | sed 's/^/  /'
check "the policy file the administrator changed was kept" c cmp -s /test/enforce.yaml /etc/microseg/policy.yaml
# The same build reuses the pinned programs; a different one loads new programs onto the pinned maps.
check "the new daemon adopted the pinned state" journal_has "Reusing the pinned programs|policy and conntrack adopted"

# ── Remove, then purge ─────────────────────────────────────────────────────────────────────
ingress_now="$(xdp_id)"; [[ -n "$ingress_now" && "$ingress_now" != "$ingress_prog" ]] && ingress_prog="$ingress_prog $ingress_now"
c apt-get remove -y -q microseg > "$work/remove.log" 2>&1
check "apt removes microseg" c sh -c '! dpkg-query -W -f="\${db:Status-Status}" microseg | grep -q "^installed"'
check "after remove: the service is not running" not active
check "after remove: no XDP program on the veth" test -z "$(xdp_id)"
check "after remove: no TC program on the veth" not tc_attached
# maps.debug and progs.debug are the kernel's own (bpf_preload), in every new bpffs.
check "after remove: no pins" c sh -c '[ -z "$(ls -A /sys/fs/bpf | grep -v -x -e maps.debug -e progs.debug)" ] || { ls -AR /sys/fs/bpf; exit 1; }'
check "after remove: 9090 passes again (nothing enforces)" connects 9090

c apt-get purge -y -q microseg > "$work/purge.log" 2>&1
check "apt purges microseg" c sh -c '! dpkg-query -W microseg >/dev/null 2>&1 || [ -z "$(dpkg-query -W -f="\${db:Status-Status}" microseg | grep -v not-installed)" ]'
for id in $ingress_prog $egress_prog; do
  check "after purge: program id $id is gone from the kernel" not c bpftool prog show id "$id"
done
check "after purge: no unit file microseg.service" not c systemctl cat microseg.service
# Not counted: the test's own files (/test, /run/microseg-test, the root's recipe marker) and
# man-db's cache of the pages this test formatted above.
left="$(c find / -xdev \( -path /test -o -path /proc -o -path /sys -o -path /run/microseg-test -o -path /var/cache/man \) -prune \
  -o -name '*microseg*' ! -path /.microseg-root-recipe -print 2>/dev/null)"
check "after purge: no file named microseg anywhere${left:+: $(echo $left)}" test -z "$left"
for p in /etc/microseg /var/lib/microseg /var/log/microseg /run/microseg /usr/lib/microseg /sys/fs/bpf/microseg; do
  check "after purge: $p is gone" c test ! -e "$p"
done

finish
