#!/usr/bin/env bash
# Makes (or reuses) the Debian 12 root the package test boots with systemd-nspawn.
#   tests/package/prepare-root.sh [ROOT]     default /var/cache/microseg-test/bookworm-root
# The mirror is the first one this machine's own apt sources name, so the root comes from
# where the rest of the machine's packages come from. The root is built in ROOT.new and
# renamed into place only when complete: an interrupted run never leaves a half root that a
# later run would reuse. Bump ROOT_RECIPE when the package list changes, to rebuild.
set -euo pipefail
root="${1:-/var/cache/microseg-test/bookworm-root}"
ROOT_RECIPE=3
# What the test needs inside besides what the package pulls in: systemd as PID 1, apt,
# iproute2 for veths and namespaces, ping and nc for traffic, bpftool to see programs, man-db
# so that `systemd-analyze verify` finds the Documentation= pages.
# libbpf1 is there so that `apt install ./microseg.deb` needs no network (the container has
# a private network); the dependency is still checked by apt.
include=systemd,systemd-sysv,dbus,iproute2,iputils-ping,netcat-openbsd,bpftool,libbpf1,procps,ca-certificates,man-db

if [[ -f "$root/.microseg-root-recipe" && "$(cat "$root/.microseg-root-recipe")" == "$ROOT_RECIPE" ]]; then
  echo "  ROOT     reusing $root"
  exit 0
fi

command -v debootstrap >/dev/null || {
  echo "  DEPS     installing debootstrap"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
}

mirror=""
for f in /etc/apt/sources.list.d/*.sources; do
  [[ -f "$f" ]] || continue
  mirror="$(awk '/^URIs:/ {print $2; exit}' "$f")"
  [[ -n "$mirror" && "$mirror" != *security* ]] && break
done
if [[ -z "$mirror" && -f /etc/apt/sources.list ]]; then
  mirror="$(awk '$1 == "deb" && $2 !~ /^\[/ && $3 !~ /security/ {print $2; exit}' /etc/apt/sources.list)"
fi
[[ -n "$mirror" ]] || { echo "error: no Debian mirror found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list" >&2; exit 1; }

echo "  ROOT     debootstrap bookworm from $mirror into $root (a few minutes, once)"
rm -rf "$root.new"
mkdir -p "$(dirname "$root")"
start=$SECONDS
debootstrap --variant=minbase --include="$include" bookworm "$root.new" "$mirror" > "$root.new.log" 2>&1 || {
  echo "error: debootstrap failed; the last lines of $root.new.log:" >&2; tail -20 "$root.new.log" >&2; exit 1; }
mv "$root.new.log" "$root.new/debootstrap.log"

# The container's apt uses the same mirror; its lists stay empty (no network inside).
printf 'deb %s bookworm main\n' "$mirror" > "$root.new/etc/apt/sources.list"
echo microseg-test > "$root.new/etc/hostname"
# No login prompt on the console, no time wasted on units a container has no use for.
for unit in console-getty.service getty@tty1.service systemd-timesyncd.service apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer; do
  ln -sf /dev/null "$root.new/etc/systemd/system/$unit"
done
echo "$ROOT_RECIPE" > "$root.new/.microseg-root-recipe"
rm -rf "$root"
mv "$root.new" "$root"
echo "  ROOT     ready in $((SECONDS - start)) s"
