/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Flow events to user space through a BPF ring buffer. The data path never waits: a full
 * ring drops the event and counts it. Deny and would-deny events pass a per-remote token
 * bucket first, so a flood or a scan cannot fill the ring; what the bucket holds back is
 * counted too, and the next delivered event says how many it stood for.
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

/* Takes a token from the remote's bucket before a deny or would-deny event is built.
 * Returns 1 (deliver; *suppressed says how many were held back before) or 0 (hold back,
 * counted), so a flood's suppressed events cost an array lookup and nothing more. */
static __always_inline int ms_rate_limit_take(const struct ms_addr *remote, __u64 now,
					      __u32 *suppressed)
{
	__u32 bucket = ms_rate_limit_bucket(remote);
	struct ms_rate_limit_state *state = bpf_map_lookup_elem(&ms_event_rate_limit, &bucket);
	__u64 elapsed, refill;

	*suppressed = 0;
	if (!state)
		return 0;
	/* A bucket never used starts full. */
	if (!state->refilled) {
		state->refilled = now;
		state->tokens = ms_event_burst;
	}
	elapsed = now - state->refilled;
	/* Past a full burst's worth of time the bucket is simply full; capping also keeps
	 * the multiplication below far from overflow. */
	if (elapsed > 1000 * ms_ticks_per_sec())
		elapsed = 1000 * ms_ticks_per_sec();
	refill = elapsed * ms_event_rate_per_sec / ms_ticks_per_sec();
	if (refill) {
		__u64 tokens = state->tokens + refill;

		state->tokens = tokens > ms_event_burst ? ms_event_burst : (__u32)tokens;
		state->refilled = now;
	}
	if (!state->tokens) {
		state->suppressed++;
		ms_count_event_loss(MS_EVENT_LOSS_RATE_LIMITED);
		return 0;
	}
	state->tokens--;
	*suppressed = state->suppressed;
	state->suppressed = 0;
	return 1;
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

#endif /* MS_EVENTS_H */
