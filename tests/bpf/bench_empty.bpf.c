// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The per-packet benchmark's baseline: an XDP program that does nothing but pass. Measured
 * in the same run and the same way as ms_xdp_ingress, it carries everything
 * BPF_PROG_TEST_RUN adds around a program (timer, RCU, bottom halves, the XDP buffer), so
 * the data path's cost is reported as a ratio to it rather than in machine-bound
 * nanoseconds. Not part of the product. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int bench_empty(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
