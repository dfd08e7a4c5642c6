// SPDX-License-Identifier: GPL-2.0
/* A program the verifier must reject: it reads packet memory without a bounds
 * check. The Microseg.Bpf tests load it to prove that a load failure carries
 * the verifier's log in the exception message. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_unchecked_read(struct xdp_md *ctx)
{
	unsigned char *data = (unsigned char *)(long)ctx->data;

	/* Deliberately no "data + 13 > data_end" check. */
	return data[12] == 0x08 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
