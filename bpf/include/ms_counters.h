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

#ifndef MS_MAX_RULES
#define MS_MAX_RULES 65536
#endif

/* Written by user space when it attaches to an interface. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MS_MAX_IFINDEX);
	__type(key, __u32);
	__type(value, struct ms_interface_slot);
} ms_interface_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MS_VERDICT_COUNTER_ENTRIES);
	__type(key, __u32);
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
	struct ms_interface_slot *interface = bpf_map_lookup_elem(&ms_interface_slots, &ifindex);
	__u32 slot = interface ? interface->slot : 0;
	__u32 index;
	struct ms_traffic_counter *counter;

	if (slot >= MS_MAX_INTERFACE_SLOTS)
		slot = 0;
	index = MS_VERDICT_COUNTER_INDEX(slot, direction & 1, verdict, reason);
	counter = bpf_map_lookup_elem(&ms_verdict_counters, &index);
	if (counter) {
		counter->packets++;
		counter->bytes += bytes;
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
