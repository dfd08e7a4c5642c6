// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Ingress: every packet arriving on an attached interface, judged before the stack sees it. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ms_datapath.h"

SEC("xdp")
int ms_xdp_ingress(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (ms_handle_packet(data, data_end, (__u32)(data_end - data), ctx->ingress_ifindex,
			     MS_DIRECTION_INGRESS) == MS_DISPOSITION_DROP)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
