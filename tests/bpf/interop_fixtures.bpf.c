// SPDX-License-Identifier: GPL-2.0
/* Fixtures for the Microseg.Bpf interop tests: one map of each kind the
 * library must handle, a read-only global set between open and load, and
 * three tiny programs (XDP pass, XDP ring-buffer producer, TC pass).
 * Nothing here is part of the product's data path. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

/* Hash key mirrored by the tests; the explicit pad keeps the size at 8 with
 * no hidden hole, so a zeroed C# struct hashes like the C one. */
struct interop_flow_key {
	__u32 addr;      /* IPv4 address, network byte order */
	__u16 port;      /* port, network byte order */
	__u8 protocol;   /* IPPROTO_* */
	__u8 pad;        /* always zero */
};

/* Hash value: exercises an anonymous union and a bitfield, so the BTF reader
 * is tested on members without a name and on kind_flag bit offsets. */
struct interop_flow_value {
	__u64 packets;
	__u64 bytes;
	union {
		__u32 mark;
		__u8 mark_bytes[4];
	};
	__u32 verdict : 4;
	__u32 reserved : 28;
};

/* LPM trie key: prefix length first, as the kernel requires. */
struct interop_lpm_key {
	__u32 prefix_len;
	__u8 addr[4];
};

/* Ring-buffer record written by xdp_ring_producer: 64 bytes. */
struct interop_event {
	__u64 sequence;  /* 0, 1, 2, ... across all runs */
	__u32 run;       /* which test run produced it */
	__u32 index;     /* index within the run */
	__u8 payload[48];
};

/* The producer's counters: slot 0 holds the next sequence number, slot 1 the run count. */
struct interop_counter {
	__u64 value;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct interop_flow_key);
	__type(value, struct interop_flow_value);
} interop_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 256);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct interop_lpm_key);
	__type(value, __u32);
} interop_lpm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} interop_percpu SEC(".maps");

/* 4-byte per-CPU values: the kernel spaces them 8 bytes apart in user buffers. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u32);
} interop_percpu_small SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct interop_counter);
} interop_array SEC(".maps");

/* Pinned by name so the tests can check pin_root_path reuse. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} interop_pinned SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} interop_ring SEC(".maps");

/* How many records xdp_ring_producer writes per run; set before load. */
const volatile __u32 ring_records_per_run = 1;

/* When non-zero, every ring_discard_every-th reservation of a run is discarded
 * (index % n == n - 1), to exercise the reader's DISCARD handling. */
const volatile __u32 ring_discard_every = 0;

/* Keeps struct interop_event in the object's BTF for the layout test. */
const volatile struct interop_event interop_event_layout;

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int xdp_ring_producer(struct xdp_md *ctx)
{
	__u32 sequence_slot = 0, run_slot = 1;
	struct interop_counter *sequence = bpf_map_lookup_elem(&interop_array, &sequence_slot);
	struct interop_counter *runs = bpf_map_lookup_elem(&interop_array, &run_slot);
	if (!sequence || !runs)
		return XDP_ABORTED;

	__u32 run = (__u32)runs->value++;
	for (__u32 i = 0; i < 1024 && i < ring_records_per_run; i++) {
		struct interop_event *event = bpf_ringbuf_reserve(&interop_ring, sizeof(*event), 0);
		if (!event)
			return XDP_ABORTED;
		if (ring_discard_every && i % ring_discard_every == ring_discard_every - 1) {
			bpf_ringbuf_discard(event, 0);
			continue;
		}
		event->sequence = sequence->value++;
		event->run = run;
		event->index = i;
		__builtin_memset(event->payload, 0xab, sizeof(event->payload));
		bpf_ringbuf_submit(event, 0);
	}
	return XDP_DROP;
}

SEC("tc")
int tc_pass(struct __sk_buff *skb)
{
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
