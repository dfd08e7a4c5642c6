#!/usr/bin/env bash
# lintian on the .deb: no error and no warning, beyond overrides that each carry a reason
# (a comment line right above every override in packaging/debian/lintian-overrides).
#   tests/package/check-deb.sh DEB
set -uo pipefail
deb="${1:?usage: check-deb.sh DEB}"
overrides="$(dirname "$0")/../../packaging/debian/lintian-overrides"
status=0

previous=""
while IFS= read -r line; do
  if [[ -n "$line" && "$line" != \#* && "$previous" != \#* ]]; then
    echo "FAIL lintian override without a reason (a comment right above it): $line"
    status=1
  fi
  previous="$line"
done < "$overrides"

# --fail-on error,warning: lintian's exit status says whether any unoverridden E: or W: remains.
output="$(lintian --fail-on error,warning --tag-display-limit 0 "$deb" 2>&1)"
lintian_status=$?
output="$(grep -v '^running with root privileges' <<< "$output")"
[[ -n "$output" ]] && sed 's/^/  lintian: /' <<< "$output"
if [[ $lintian_status -ne 0 ]] || grep -qE '^[EW]: ' <<< "$output"; then
  echo "FAIL lintian reports errors or warnings on $(basename "$deb")"
  status=1
else
  echo "ok   lintian: no errors or warnings on $(basename "$deb") ($(grep -c '^microseg: ' "$overrides") overrides, each with a reason)"
fi
exit $status
