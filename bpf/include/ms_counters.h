/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Per-CPU packet and byte counters by (interface, direction, verdict, reason) and by rule.
 * Per-CPU so that counting never bounces a cache line between cores.
 */
#ifndef MS_COUNTERS_H
#define MS_COUNTERS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "microseg_abi.h"

#ifndef MS_MAX_VERDICT_COUNTERS
#define MS_MAX_VERDICT_COUNTERS 4096
#endif
#ifndef MS_MAX_RULES
#define MS_MAX_RULES 65536
#endif

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, MS_MAX_VERDICT_COUNTERS);
	__type(key, struct ms_verdict_counter_key);
	__type(value, struct ms_traffic_counter);
} ms_verdict_counters SEC(".maps");

/* Indexed by rule id; the loader sizes it to the policy's rule capacity. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MS_MAX_RULES);
	__type(key, __u32);
	__type(value, struct ms_traffic_counter);
} ms_rule_counters SEC(".maps");

static __always_inline void ms_count_verdict(__u32 ifindex, __u8 direction, __u8 verdict,
					     __u8 reason, __u32 bytes)
{
	struct ms_verdict_counter_key key = {
		.ifindex = ifindex,
		.direction = direction,
		.verdict = verdict,
		.reason = reason,
	};
	struct ms_traffic_counter *counter = bpf_map_lookup_elem(&ms_verdict_counters, &key);

	if (counter) {
		counter->packets++;
		counter->bytes += bytes;
	} else {
		struct ms_traffic_counter first = { .packets = 1, .bytes = bytes };

		/* Fails only when the map is full; a missing counter never blocks a packet. */
		bpf_map_update_elem(&ms_verdict_counters, &key, &first, BPF_NOEXIST);
	}
}

static __always_inline void ms_count_rule(__u32 rule_id, __u32 bytes)
{
	struct ms_traffic_counter *counter;

	if (!rule_id)
		return;
	counter = bpf_map_lookup_elem(&ms_rule_counters, &rule_id);
	if (counter) {
		counter->packets++;
		counter->bytes += bytes;
	}
}

#endif /* MS_COUNTERS_H */
