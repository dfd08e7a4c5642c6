// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The SRE benchmark's packet generator. Run through BPF_PROG_TEST_RUN with
 * BPF_F_TEST_XDP_LIVE_FRAMES and a context naming the sending veth as ingress device, every
 * repetition is a real frame: XDP_TX sends it out of that veth, so it arrives at the peer
 * (the receiver under test) as if a host had sent it. The frame itself is built in user
 * space and left untouched here, so the generator costs the same whatever is measured.
 * (xdp-tools' xdp-trafficgen does the same, but 1.3.1 does not load on recent kernels.)
 * Not part of the product. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int trafficgen_tx(struct xdp_md *ctx)
{
	return XDP_TX;
}

/* A SYN flood for the flood test: every repetition leaves with the next TCP source port
 * (1024..65535), the checksum adjusted to match (RFC 1624), so every frame opens a new flow
 * as a real flood's do. The frame must be Ethernet + IPv4 without options + TCP. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} trafficgen_next_source_port SEC(".maps");

SEC("xdp")
int trafficgen_tx_syn_flood(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u16 *tcp = data + 14 + 20;
	__u32 zero = 0, *next = bpf_map_lookup_elem(&trafficgen_next_source_port, &zero);
	__u16 old_port, new_port;
	__u32 sum;

	if ((void *)(tcp + 10) > data_end || !next)
		return XDP_ABORTED;
	/* Ones' complement sums are the same in either byte order: no swapping needed. */
	new_port = __builtin_bswap16(1024 + *next % 64512);
	*next += 1;
	old_port = tcp[0];
	sum = (__u16)~tcp[8] + (__u16)~old_port + new_port;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	tcp[8] = ~sum;
	tcp[0] = new_port;
	return XDP_TX;
}

/* Replaces two 16-bit words covered by a ones' complement checksum (RFC 1624). Either
 * byte order: the sum is the same. */
static __always_inline __u16 trafficgen_csum_replace(__u16 check, __u16 old0, __u16 old1,
						     __u16 new0, __u16 new1)
{
	__u32 sum = (__u16)~check + (__u16)~old0 + (__u16)~old1 + new0 + new1;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

/* A spoofed-source SYN flood (hping3 --rand-source): every repetition leaves with a new
 * random IPv4 source address, both the IPv4 and the TCP checksum adjusted to match, so
 * every frame comes from a source never seen before. Ethernet + IPv4 without options + TCP. */
SEC("xdp")
int trafficgen_tx_syn_flood_random_source(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u16 *ip = data + 14;
	__u16 *tcp = data + 14 + 20;
	__u32 source = bpf_get_prandom_u32();
	__u16 new0 = source & 0xffff, new1 = source >> 16;

	if ((void *)(tcp + 10) > data_end)
		return XDP_ABORTED;
	ip[5] = trafficgen_csum_replace(ip[5], ip[6], ip[7], new0, new1);
	tcp[8] = trafficgen_csum_replace(tcp[8], ip[6], ip[7], new0, new1);
	ip[6] = new0;
	ip[7] = new1;
	return XDP_TX;
}

/* The receiver side's reference configurations: an XDP program that only passes, and one
 * that only drops. */
SEC("xdp")
int trafficgen_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int trafficgen_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
