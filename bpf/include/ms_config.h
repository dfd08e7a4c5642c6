/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Settings that need no recompile: read-only globals the loader writes between open and
 * load (libbpf's .rodata). The verifier sees them as constants, so they cost nothing.
 */
#ifndef MS_CONFIG_H
#define MS_CONFIG_H

#include <linux/types.h>

#include <bpf/bpf_helpers.h>

#define MS_NS_PER_SEC 1000000000ull

/*
 * The clock conntrack, fragments and the event rate limit run on, in ticks per second.
 * Non-zero: the kernel's HZ, and the clock is jiffies, which the verifier inlines into one
 * load (the coarse nanosecond clock is a 14 ns helper call, a sixth of an established
 * packet's cost). Zero: HZ is unknown, and the clock is bpf_ktime_get_coarse_ns. The
 * loader writes HZ, and every timeout below, in ticks of the clock it chose.
 */
const volatile __u64 ms_clock_ticks_per_sec = 0;

/* Conntrack idle timeouts, in clock ticks (defaults in ns for the zero-HZ clock). TCP
 * established matches Cilium's six hours: long-lived connections (databases, message
 * buses) idle for minutes must not lose their state. */
const volatile __u64 ms_ct_timeout_tcp_established = 21600 * MS_NS_PER_SEC;
const volatile __u64 ms_ct_timeout_tcp_opening = 60 * MS_NS_PER_SEC;
const volatile __u64 ms_ct_timeout_closed = 10 * MS_NS_PER_SEC;
const volatile __u64 ms_ct_timeout_other = 60 * MS_NS_PER_SEC;
/* Later fragments arriving this long after their first are no longer followed. */
const volatile __u64 ms_fragment_timeout = 30 * MS_NS_PER_SEC;

/* Now, in clock ticks. */
static __always_inline __u64 ms_now(void)
{
	return ms_clock_ticks_per_sec ? bpf_jiffies64() : bpf_ktime_get_coarse_ns();
}

static __always_inline __u64 ms_ticks_per_sec(void)
{
	return ms_clock_ticks_per_sec ? ms_clock_ticks_per_sec : MS_NS_PER_SEC;
}

/* Deny and would-deny events per remote address: a steady rate and a burst. 10/s keeps a
 * scan visible (first ports, then a count of the suppressed) while a flood from one source
 * costs the ring at most 10 records a second. */
const volatile __u32 ms_event_rate_per_sec = 10;
const volatile __u32 ms_event_burst = 20;

/* Deny and would-deny events per CPU across all remotes: the global budget, so a flood
 * from ever new source addresses (each with a full bucket of its own) still costs the ring,
 * the daemon and the flow log a bounded rate. Per CPU, so taking a token never bounces a
 * cache line; the loader divides the configured total among the online CPUs. What the
 * budget holds back is summarised (ms_event_summaries), never lost. */
const volatile __u32 ms_event_budget_per_sec = 100;
const volatile __u32 ms_event_budget_burst = 500;

#endif /* MS_CONFIG_H */
