/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Settings that need no recompile: read-only globals the loader writes between open and
 * load (libbpf's .rodata). The verifier sees them as constants, so they cost nothing.
 */
#ifndef MS_CONFIG_H
#define MS_CONFIG_H

#include <linux/types.h>

#define MS_NS_PER_SEC 1000000000ull

/* Conntrack idle timeouts. TCP established matches Cilium's six hours: long-lived
 * connections (databases, message buses) idle for minutes must not lose their state. */
const volatile __u64 ms_ct_timeout_tcp_established_ns = 21600 * MS_NS_PER_SEC;
const volatile __u64 ms_ct_timeout_tcp_opening_ns = 60 * MS_NS_PER_SEC;
const volatile __u64 ms_ct_timeout_closed_ns = 10 * MS_NS_PER_SEC;
const volatile __u64 ms_ct_timeout_other_ns = 60 * MS_NS_PER_SEC;
/* Later fragments arriving this long after their first are no longer followed. */
const volatile __u64 ms_fragment_timeout_ns = 30 * MS_NS_PER_SEC;

/* Deny and would-deny events per remote address: a steady rate and a burst. 10/s keeps a
 * scan visible (first ports, then a count of the suppressed) while a flood from one source
 * costs the ring at most 10 records a second. */
const volatile __u32 ms_event_rate_per_sec = 10;
const volatile __u32 ms_event_burst = 20;

#endif /* MS_CONFIG_H */
