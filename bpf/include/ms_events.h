/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Flow events to user space through a BPF ring buffer. The data path never waits: a full
 * ring drops the event and counts it. Deny and would-deny events pass a per-remote token
 * bucket, then a global (per-CPU) budget, so neither a flood from one source nor one from
 * ever new sources can fill the ring or the flow log; a denial that gets no event, for
 * whichever of the three reasons, is counted in ms_event_summaries by endpoint, direction,
 * service and reason, so events plus summaries add up to the verdict counters.
 */
#ifndef MS_EVENTS_H
#define MS_EVENTS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "microseg_abi.h"
#include "ms_config.h"
#include "ms_address.h"

#ifndef MS_EVENT_RING_BYTES
#define MS_EVENT_RING_BYTES (2 * 1024 * 1024)
#endif

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, MS_EVENT_RING_BYTES);
} ms_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MS_EVENT_LOSS_COUNT);
	__type(key, __u32);
	__type(value, struct ms_event_loss_counter);
} ms_event_losses SEC(".maps");

/* Shared, not per-CPU, so a source is limited as a whole however its packets spread over
 * cores; the races between cores on one bucket only blur the count a little. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MS_RATE_LIMIT_BUCKETS);
	__type(key, __u32);
	__type(value, struct ms_rate_limit_state);
} ms_event_rate_limit SEC(".maps");

/* The global budget's bucket, one per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ms_rate_limit_state);
} ms_event_budget SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ms_event_summary_control);
} ms_event_summary_control SEC(".maps");

/* Per CPU: counting a flood's denials never bounces a cache line; user space sums. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, MS_EVENT_SUMMARY_ENTRIES);
	__type(key, struct ms_event_summary_key);
	__type(value, struct ms_traffic_counter);
} ms_event_summaries SEC(".maps");

/* Where a denial is counted when ms_event_summaries is full: by epoch and verdict. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MS_EVENT_SUMMARY_OVERFLOW_ENTRIES);
	__type(key, __u32);
	__type(value, struct ms_traffic_counter);
} ms_event_summary_overflow SEC(".maps");

/* The remote's bucket: the address folded to 32 bits, then Fibonacci hashing, whose high
 * bits spread neighbouring addresses (a scan of a subnet) over different buckets. */
static __always_inline __u32 ms_rate_limit_bucket(const struct ms_addr *remote)
{
	const __u32 *w = (const __u32 *)remote->bytes;
	__u32 folded = w[0] ^ w[1] ^ w[2] ^ w[3];

	return (folded * 2654435761u) >> (32 - 14);
}
_Static_assert(MS_RATE_LIMIT_BUCKETS == 1 << 14, "the bucket hash keeps 14 bits");

/* Room for one event record per CPU, off the 512-byte stack. Safe to share between the
 * programs: XDP runs in softirq and TC with bottom halves disabled, so on one CPU neither
 * interrupts the other mid-packet. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ms_flow_event);
} ms_event_scratch SEC(".maps");

static __always_inline struct ms_flow_event *ms_event_record(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&ms_event_scratch, &zero);
}

static __always_inline void ms_count_event_loss(__u32 reason)
{
	struct ms_event_loss_counter *counter = bpf_map_lookup_elem(&ms_event_losses, &reason);

	if (counter)
		counter->events++;
}

/* Takes a token from a bucket refilled at rate per second up to burst. Returns 1 (taken)
 * or 0 (empty). */
static __always_inline int ms_token_take(struct ms_rate_limit_state *state, __u64 now,
					 __u32 rate, __u32 burst)
{
	__u64 elapsed, refill;

	/* A bucket never used starts full. */
	if (!state->refilled) {
		state->refilled = now;
		state->tokens = burst;
	}
	elapsed = now - state->refilled;
	/* Past a full burst's worth of time the bucket is simply full; capping also keeps
	 * the multiplication below far from overflow. */
	if (elapsed > 1000 * ms_ticks_per_sec())
		elapsed = 1000 * ms_ticks_per_sec();
	refill = elapsed * rate / ms_ticks_per_sec();
	if (refill) {
		__u64 tokens = state->tokens + refill;

		state->tokens = tokens > burst ? burst : (__u32)tokens;
		state->refilled = now;
	}
	if (!state->tokens)
		return 0;
	state->tokens--;
	return 1;
}

/* A token from the remote's bucket: 1 (may send) or 0 (held back). */
static __always_inline int ms_rate_limit_take(const struct ms_addr *remote, __u64 now)
{
	__u32 bucket = ms_rate_limit_bucket(remote);
	struct ms_rate_limit_state *state = bpf_map_lookup_elem(&ms_event_rate_limit, &bucket);

	return state && ms_token_take(state, now, ms_event_rate_per_sec, ms_event_burst);
}

/* A token from this CPU's share of the global budget: 1 (may send) or 0 (held back). */
static __always_inline int ms_budget_take(__u64 now)
{
	__u32 zero = 0;
	struct ms_rate_limit_state *state = bpf_map_lookup_elem(&ms_event_budget, &zero);

	return state && ms_token_take(state, now, ms_event_budget_per_sec, ms_event_budget_burst);
}

/* Counts a denial that got no event in the live epoch's summary entry for its endpoint,
 * direction, service and reason; when the summary map is full, in the overflow entry. */
static __always_inline void ms_summarise(const struct ms_flow_event *e)
{
	struct ms_event_summary_key key = {};
	struct ms_event_summary_control *control;
	struct ms_traffic_counter *counter, first = { .packets = 1, .bytes = e->bytes };
	__u32 zero = 0, index;

	control = bpf_map_lookup_elem(&ms_event_summary_control, &zero);
	key.local_addr = e->local_addr;
	key.local_identity = e->local_identity;
	key.remote_identity = e->remote_identity;
	key.rule_id = e->rule_id;
	key.policy_port = e->policy_port;
	key.protocol = e->protocol;
	key.direction = e->direction;
	key.reason = e->reason;
	key.verdict = e->verdict;
	key.epoch = control ? control->epoch & 1 : 0;

	counter = bpf_map_lookup_elem(&ms_event_summaries, &key);
	if (!counter) {
		/* Created holding this denial on this CPU (zero on the others); another CPU
		 * may have created it meanwhile, then it is counted below. */
		if (!bpf_map_update_elem(&ms_event_summaries, &key, &first, BPF_NOEXIST))
			return;
		counter = bpf_map_lookup_elem(&ms_event_summaries, &key);
	}
	if (!counter) {
		index = key.epoch * MS_VERDICT_COUNT + (e->verdict % MS_VERDICT_COUNT);
		counter = bpf_map_lookup_elem(&ms_event_summary_overflow, &index);
	}
	if (counter) {
		counter->packets++;
		counter->bytes += e->bytes;
	}
}

/*
 * Sends one event record, every field filled by the caller. Never blocks: a full ring is
 * counted. Returns 1 if delivered, else 0. A global function, so the verifier checks it
 * once however many places report events.
 */
__noinline int ms_emit_event(struct ms_flow_event *e)
{
	if (!e)
		return 0;
	if (bpf_ringbuf_output(&ms_events, e, sizeof(*e), 0)) {
		ms_count_event_loss(MS_EVENT_LOSS_RING_FULL);
		return 0;
	}
	return 1;
}

/*
 * A deny or would-deny event, every field filled by the caller: sent if the remote's bucket
 * and the global budget both allow it and the ring has room, else counted (by why in
 * ms_event_losses, by what in ms_event_summaries). Returns 1 if delivered, else 0. Global,
 * like ms_emit_event, so the verifier checks it once.
 */
__noinline int ms_emit_denial(struct ms_flow_event *e)
{
	__u64 now = ms_now();

	if (!e)
		return 0;
	if (!ms_rate_limit_take(&e->remote_addr, now))
		ms_count_event_loss(MS_EVENT_LOSS_RATE_LIMITED);
	else if (!ms_budget_take(now))
		ms_count_event_loss(MS_EVENT_LOSS_BUDGET);
	else if (ms_emit_event(e))
		return 1;
	ms_summarise(e);
	return 0;
}

#endif /* MS_EVENTS_H */
