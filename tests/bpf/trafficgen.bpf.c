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
