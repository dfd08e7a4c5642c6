// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Fills a ring buffer with flow-event records as fast as the kernel can, for the ring buffer
 * drain benchmark: each run writes up to records_per_run records, stopping early when the
 * ring is full, and counts what it wrote. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "microseg_abi.h"

const volatile __u32 records_per_run = 1024;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 << 20);
} bench_ring SEC(".maps");

/* [0]: records written so far (the next record's sequence number). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} bench_written SEC(".maps");

static long produce_one(__u64 index, void *ctx)
{
	__u64 *written = ctx;
	struct ms_flow_event *e = bpf_ringbuf_reserve(&bench_ring, sizeof(*e), 0);

	if (!e)
		return 1; /* full: stop */
	__builtin_memset(e, 0, sizeof(*e));
	e->timestamp_ns = *written;
	e->kind = MS_EVENT_NEW_FLOW;
	e->protocol = 6;
	e->local_port = 0x5000;
	e->packets = 1;
	e->bytes = 64;
	/* The consumer drains on its own schedule: no wake-up per record. */
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	(*written)++;
	return 0;
}

SEC("xdp")
int bench_produce(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u64 *written = bpf_map_lookup_elem(&bench_written, &zero);

	__u64 count;

	if (!written)
		return XDP_ABORTED;
	/* bpf_loop's context must live on the stack. */
	count = *written;
	bpf_loop(records_per_run, produce_one, &count, 0);
	*written = count;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
