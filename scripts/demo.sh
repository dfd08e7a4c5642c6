#!/usr/bin/env bash
# The demo, at this stage of the project: the data plane judging real TCP and UDP traffic
# between two network namespaces it creates (and removes). The full product demo (discover,
# suggest, monitor, enforce, stop lateral movement) arrives with the daemon and the CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
config="${CONFIG:-Release}"

cat <<'TEXT'
== Microseg data plane demo
Two network namespaces, A (a remote peer) and B (the protected host), joined by a veth pair.
Microseg's XDP (ingress) and TC (egress) programs are attached to B's interface, and a policy
is written into the maps. Then real sockets try allowed and denied ports, over IPv4 and IPv6,
in enforce and monitor mode; the counters and the ring-buffer events say what the kernel did.
TEXT

dotnet test tests/Microseg.Datapath.Tests -c "$config" --no-build --nologo \
  --filter "FullyQualifiedName~RealTraffic" \
  --logger "console;verbosity=normal" 2>&1 |
  grep -E "^\s+(Passed|Failed|Skipped) |^(Passed|Failed)!|Total tests|Error Message|Assert" |
  sed -e 's/Microseg.Datapath.Tests.RealTraffic.//'
echo "== done: namespaces and programs removed"
