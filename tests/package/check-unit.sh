#!/bin/sh
# The installed unit, where the package is installed (the package test runs it inside its
# container): `systemd-analyze verify` prints nothing on stderr, and `systemd-analyze
# security` rates its exposure at most 3.0.
unit=microseg.service
status=0

err="$(systemd-analyze verify "$unit" 2>&1 >/dev/null)"
if [ -n "$err" ]; then
	echo "FAIL systemd-analyze verify $unit printed on stderr:"
	echo "$err" | sed 's/^/  /'
	status=1
else
	echo "ok   systemd-analyze verify $unit: nothing on stderr"
fi

report="$(systemd-analyze security --no-pager "$unit" 2>&1)"
exposure="$(echo "$report" | sed -n "s/.*Overall exposure level for $unit: \([0-9.]*\).*/\1/p")"
if [ -z "$exposure" ]; then
	echo "FAIL systemd-analyze security $unit gave no exposure level:"
	echo "$report" | tail -5 | sed 's/^/  /'
	status=1
elif awk -v e="$exposure" 'BEGIN { exit !(e <= 3.0) }'; then
	echo "ok   systemd-analyze security $unit: exposure $exposure (at most 3.0)"
else
	echo "FAIL systemd-analyze security $unit: exposure $exposure is above 3.0; what costs most:"
	echo "$report" | grep '✗' | sed 's/^/  /'
	status=1
fi
exit $status
