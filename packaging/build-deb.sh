#!/usr/bin/env bash
# Builds artifacts/microseg_<version>_amd64.deb from this tree:
#   packaging/build-deb.sh VERSION [OUTPUT_DIR]
# microsegd and microsegctl are the Native AOT executables `make native` publishes into
# artifacts/native (no managed runtime ships: nothing is JIT-compiled at run time); the eBPF
# objects come from `make bpf`. `make deb` does both first.
# Run as root or under fakeroot is not needed: dpkg-deb --root-owner-group sets the owners.
set -euo pipefail
version="${1:?usage: build-deb.sh VERSION [OUTPUT_DIR]}"
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
out="${2:-$repo/artifacts}"
work="$repo/artifacts/package"
stage="$work/root"
native="${NATIVE_DIR:-$repo/artifacts/native}"
arch=amd64
package="microseg_${version}_${arch}.deb"

for tool in microsegd microsegctl; do
  [[ -x "$native/$tool" ]] || { echo "error: $native/$tool is missing: run make native first" >&2; exit 1; }
done
for object in xdp_ingress tc_egress; do
  [[ -f "$repo/artifacts/bpf/$object.bpf.o" ]] || { echo "error: artifacts/bpf/$object.bpf.o is missing: run make bpf first" >&2; exit 1; }
done

rm -rf "$stage"
mkdir -p "$stage"

lib="$stage/usr/lib/microseg"
install -d "$lib" "$lib/bpf"
# The executables only: their symbols (*.dbg) and the libraries' *.pdb stay in artifacts/native.
install -m 0755 "$native/microsegd" "$native/microsegctl" "$lib/"
install -m 0644 "$repo/artifacts/bpf/xdp_ingress.bpf.o" "$repo/artifacts/bpf/tc_egress.bpf.o" "$lib/bpf/"

install -d "$stage/usr/sbin" "$stage/usr/bin"
ln -s ../lib/microseg/microsegd "$stage/usr/sbin/microsegd"
ln -s ../lib/microseg/microsegctl "$stage/usr/bin/microsegctl"

install -D -m 0644 "$here/systemd/microseg.service" "$stage/lib/systemd/system/microseg.service"
install -D -m 0644 "$here/debian/sysusers.conf" "$stage/usr/lib/sysusers.d/microseg.conf"
install -D -m 0644 "$here/policy.yaml" "$stage/etc/microseg/policy.yaml"
install -D -m 0644 "$here/completion/microsegctl" "$stage/usr/share/bash-completion/completions/microsegctl"

for page in "$here"/man/*.[1-8]; do
  section="${page##*.}"
  install -d "$stage/usr/share/man/man$section"
  gzip -9n < "$page" > "$stage/usr/share/man/man$section/$(basename "$page").gz"
done

doc="$stage/usr/share/doc/microseg"
install -d "$doc/examples/conf.d"
install -m 0644 "$here/debian/copyright" "$doc/copyright"
install -m 0644 "$repo"/docs/examples/*.yaml "$doc/examples/"
install -m 0644 "$repo"/docs/examples/conf.d/*.yaml "$doc/examples/conf.d/"
gzip -9n < "$repo/docs/policy.md" > "$doc/policy.md.gz"
# The changelog a native package carries; its date is the last commit's, so a rebuild is identical.
date_rfc="$(git -C "$repo" log -1 --format=%cD 2>/dev/null || date -R)"
commit="$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
{
  printf 'microseg (%s) unstable; urgency=medium\n\n' "$version"
  printf '  * Built from commit %s.\n\n' "$commit"
  printf ' -- Microseg maintainers <maintainers@microseg.dev>  %s\n' "$date_rfc"
} | gzip -9n > "$doc/changelog.gz"

install -D -m 0644 "$here/debian/lintian-overrides" "$stage/usr/share/lintian/overrides/microseg"

# Modes: directories 0755, files 0644, the programs 0755.
find "$stage" -type d -exec chmod 0755 {} +
find "$stage" -type f -exec chmod 0644 {} +
chmod 0755 "$lib/microsegd" "$lib/microsegctl"

# Shared-library dependencies of every ELF file, as dpkg-shlibdeps computes them.
elves=()
while IFS= read -r -d '' f; do
  [[ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" == '177ELF' ]] && [[ "$f" != *.bpf.o ]] && elves+=("$f")
done < <(find "$lib" -type f -print0)
shlibdir="$work/shlibdeps"
rm -rf "$shlibdir" && mkdir -p "$shlibdir/debian"
printf 'Source: microseg\n\nPackage: microseg\nArchitecture: %s\n' "$arch" > "$shlibdir/debian/control"
shlibs="$(cd "$shlibdir" && dpkg-shlibdeps -O "${elves[@]}" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')"
[[ -n "$shlibs" ]] || { echo "error: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

install -d -m 0755 "$stage/DEBIAN"
sed -e "s/@VERSION@/$version/" -e "s/@SHLIBS@/$shlibs/" \
    -e "s/@INSTALLED_SIZE@/$(du -sk --exclude=DEBIAN "$stage" | cut -f1)/" \
    "$here/debian/control.in" > "$stage/DEBIAN/control"
install -m 0644 "$here/debian/conffiles" "$stage/DEBIAN/conffiles"
install -m 0755 "$here/debian/postinst" "$here/debian/prerm" "$here/debian/postrm" "$stage/DEBIAN/"
(cd "$stage" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) > "$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/md5sums"

mkdir -p "$out"
# xz level 1: a few seconds for the two native executables; the default level saves little more.
echo "  DPKG-DEB $out/$package"
dpkg-deb --root-owner-group -Zxz -z1 --build "$stage" "$out/$package" >/dev/null
