// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Egress: every packet leaving an attached interface (TC clsact, direct action). */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "ms_datapath.h"

/* Enough for Ethernet, two VLAN tags, IPv6 with a few extension headers and TCP. Headers
 * past the linear area are pulled in; the rest of the payload stays where it is. */
#define MS_HEADER_PULL_BYTES 256

SEC("tc")
int ms_tc_egress(struct __sk_buff *skb)
{
	__u32 want = skb->len < MS_HEADER_PULL_BYTES ? skb->len : MS_HEADER_PULL_BYTES;
	void *data, *data_end;

	if ((__u32)(skb->data_end - skb->data) < want)
		bpf_skb_pull_data(skb, want);
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;

	if (ms_handle_packet(data, data_end, skb->len, skb->ifindex, MS_DIRECTION_EGRESS) ==
	    MS_DISPOSITION_DROP)
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
