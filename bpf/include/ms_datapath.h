/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The per-packet pipeline both programs share: parse -> conntrack -> endpoint and mode ->
 * remote identity -> policy -> verdict, counters and events. Returns a disposition the
 * entry point maps to its hook's return code.
 */
#ifndef MS_DATAPATH_H
#define MS_DATAPATH_H

#include "microseg_abi.h"
#include "ms_config.h"
#include "ms_parse.h"
#include "ms_identity.h"
#include "ms_policy.h"
#include "ms_conntrack.h"
#include "ms_counters.h"
#include "ms_events.h"
#include "ms_flows.h"
#include "ms_abi_check.h"

enum ms_disposition {
	MS_DISPOSITION_PASS = 0,
	MS_DISPOSITION_DROP = 1,
};

static __always_inline int ms_finish(__u32 ifindex, __u8 direction, __u32 bytes, __u8 verdict,
				     __u8 reason, __u32 rule_id)
{
	ms_count_verdict(ifindex, direction, verdict, reason, bytes);
	ms_count_rule(rule_id, bytes);
	return verdict == MS_VERDICT_DENY ? MS_DISPOSITION_DROP : MS_DISPOSITION_PASS;
}

/* What a packet the policy cannot judge (malformed, untracked fragment) gets in a mode. */
static __always_inline __u8 ms_unjudgeable_verdict(__u8 mode)
{
	if (mode == MS_MODE_ENFORCE)
		return MS_VERDICT_DENY;
	if (mode == MS_MODE_MONITOR)
		return MS_VERDICT_WOULD_DENY;
	return MS_VERDICT_UNENFORCED;
}

/* Router/neighbor solicitation and advertisement, redirect: without them IPv6 stops. */
static __always_inline int ms_is_neighbor_discovery(const struct ms_packet *p)
{
	return p->protocol == IPPROTO_ICMPV6 && p->icmp_type >= 133 && p->icmp_type <= 137;
}

/* A later fragment follows its first fragment's verdict; with none on record it cannot be
 * judged, so enforcement drops it: fragments are never a way around the policy. */
static __always_inline void ms_judge_later_fragment(const struct ms_packet *p, __u8 mode,
						    __u64 now, struct ms_outcome *o)
{
	struct ms_fragment_key key = {};
	struct ms_fragment_value *first;

	ms_fragment_key_of(p, &key);
	first = bpf_map_lookup_elem(&ms_fragments, &key);
	if (first && now - first->first_seen <= ms_fragment_timeout) {
		o->verdict = first->verdict;
		o->reason = MS_REASON_FRAGMENT;
		o->rule_id = first->rule_id;
		return;
	}
	o->verdict = ms_unjudgeable_verdict(mode);
	o->reason = MS_REASON_FRAGMENT_UNTRACKED;
	o->rule_id = 0;
}

/* What the entry point knows besides the parsed packet. */
struct ms_packet_meta {
	__u32 ifindex;
	__u32 packet_len;        /* the whole packet; on TC it can exceed the linear data */
	__u8  direction;         /* enum ms_direction */
	__u8  parse_result;      /* enum ms_parse_result */
	__u8  conntrack_missed;  /* 1: the fast path looked the key up and found nothing */
	__u8  pad;
};

/*
 * Everything after parsing that the fast path did not settle: endpoint and mode,
 * conntrack, policy, counters, events. A global function, so the verifier checks this logic
 * once rather than once for every way the parser can finish. key holds the packet's
 * conntrack key. Returns an enum ms_disposition.
 */
__noinline int ms_judge_packet(const struct ms_packet *p, const struct ms_packet_meta *meta,
			       const struct ms_conntrack_key *key)
{
	struct ms_endpoint_value fallback = {};
	const struct ms_endpoint_value *ep;
	struct ms_conntrack_entry *entry = NULL;
	struct ms_slot_config *config;
	const struct ms_addr *local;
	struct ms_outcome o = {};
	__u32 slot, ifindex, bytes;
	__u8 direction, parsed;
	__u64 now;

	if (!p || !meta || !key)
		return MS_DISPOSITION_PASS;
	config = ms_active_slot(&slot);
	if (!config)
		return MS_DISPOSITION_PASS;
	ifindex = meta->ifindex;
	bytes = meta->packet_len;
	direction = meta->direction;
	parsed = meta->parse_result;

	if (parsed == MS_PARSE_NOT_IP)
		return ms_finish(ifindex, direction, bytes, MS_VERDICT_UNENFORCED, MS_REASON_NOT_IP, 0);
	if (parsed == MS_PARSE_MALFORMED_UNATTRIBUTED)
		return ms_finish(ifindex, direction, bytes,
				 ms_unjudgeable_verdict(config->unattributed_mode),
				 MS_REASON_MALFORMED, 0);

	local = direction == MS_DIRECTION_INGRESS ? &p->dst : &p->src;
	if (parsed == MS_PARSE_MALFORMED) {
		ep = ms_lookup_endpoint(slot, local, ifindex, config, &fallback);
		if (ep->mode == MS_MODE_OFF)
			return ms_finish(ifindex, direction, bytes, MS_VERDICT_UNENFORCED,
					 MS_REASON_ENDPOINT_OFF, 0);
		return ms_finish(ifindex, direction, bytes, ms_unjudgeable_verdict(ep->mode),
				 MS_REASON_MALFORMED, 0);
	}
	if (ms_is_neighbor_discovery(p))
		return ms_finish(ifindex, direction, bytes, MS_VERDICT_UNENFORCED,
				 MS_REASON_NEIGHBOR_DISCOVERY, 0);

	now = ms_now();
	if (p->fragment == MS_FRAGMENT_LATER) {
		ep = ms_lookup_endpoint(slot, local, ifindex, config, &fallback);
		if (ep->mode == MS_MODE_OFF)
			return ms_finish(ifindex, direction, bytes, MS_VERDICT_UNENFORCED,
					 MS_REASON_ENDPOINT_OFF, 0);
		ms_judge_later_fragment(p, ep->mode, now, &o);
		return ms_finish(ifindex, direction, bytes, o.verdict, o.reason, o.rule_id);
	}

	if (p->icmp_quote) {
		struct ms_conntrack_key quoted = {};

		ms_conntrack_key_of_quote(p, direction, &quoted);
		entry = bpf_map_lookup_elem(&ms_conntrack, &quoted);
		/* Related only to a flow currently allowed under this very policy. */
		if (entry && entry->verdict == MS_VERDICT_ALLOW &&
		    entry->generation == config->generation &&
		    !ms_conntrack_expired(entry, quoted.protocol, now))
			return ms_finish(ifindex, direction, bytes, MS_VERDICT_ALLOW,
					 MS_REASON_RELATED, entry->rule_id);
		entry = NULL;
	}

	/* A connection attempt is always judged afresh, and an ICMP error belongs to the flow
	 * it quotes or to none; otherwise conntrack comes first. */
	if (!ms_is_connection_attempt(p) && !p->icmp_error && !meta->conntrack_missed) {
		entry = bpf_map_lookup_elem(&ms_conntrack, key);
		if (entry && ms_conntrack_expired(entry, p->protocol, now)) {
			bpf_map_delete_elem(&ms_conntrack, key);
			entry = NULL;
		}
	}
	if (entry && entry->generation == config->generation) {
		if (entry->verdict == MS_VERDICT_DENY)
			ms_judge_revoked(entry, now, &o);
		else
			ms_account_tracked(entry, key, p, direction, config->generation, ifindex,
					   bytes, now, &o);
	} else {
		ep = ms_lookup_endpoint(slot, local, ifindex, config, &fallback);
		if (ep->mode == MS_MODE_OFF)
			return ms_finish(ifindex, direction, bytes, MS_VERDICT_UNENFORCED,
					 MS_REASON_ENDPOINT_OFF, 0);
		ms_judge_flow(entry, key, p, direction, slot, config, ep, ifindex, bytes, now, &o);
	}
	/* Whatever judged it, a first fragment's verdict is what its later fragments follow. */
	if (p->fragment == MS_FRAGMENT_FIRST)
		ms_fragment_remember(p, o.verdict, o.rule_id, now);
	return ms_finish(ifindex, direction, bytes, o.verdict, o.reason, o.rule_id);
}

/* The parsed packet and what goes with it, per CPU rather than on the 512-byte stack that
 * the judge and its callees need. XDP runs in softirq and TC with bottom halves disabled,
 * so on one CPU neither interrupts the other mid-packet. */
struct ms_packet_scratch {
	struct ms_packet packet;
	struct ms_conntrack_key key;
	struct ms_packet_meta meta;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ms_packet_scratch);
} ms_packet_scratch SEC(".maps");

/*
 * One packet, in either direction. Parse here, where the packet pointers are; then the fast
 * path: a whole, unfragmented packet of a flow admitted under the live policy, that cannot
 * end the flow, needs one conntrack lookup and its accounting. Everything else goes to
 * ms_judge_packet.
 */
static __always_inline int ms_handle_packet(void *data, void *data_end, __u32 packet_len,
					    __u32 ifindex, __u8 direction)
{
	__u32 zero = 0;
	struct ms_packet_scratch *s = bpf_map_lookup_elem(&ms_packet_scratch, &zero);
	struct ms_conntrack_entry *entry;
	struct ms_slot_config *config;
	struct ms_packet *p;
	__u32 slot;
	__u64 now;

	if (!s)
		return MS_DISPOSITION_PASS;
	p = &s->packet;
	__builtin_memset(s, 0, sizeof(*s));
	s->meta.ifindex = ifindex;
	s->meta.packet_len = packet_len;
	s->meta.direction = direction;
	s->meta.parse_result = ms_parse_packet(data, data_end, packet_len, p);
	if (s->meta.parse_result != MS_PARSE_OK)
		return ms_judge_packet(p, &s->meta, &s->key);

	ms_conntrack_key_of(p, direction, &s->key);
	if (p->fragment != MS_FRAGMENT_NONE || p->icmp_error || ms_is_connection_attempt(p) ||
	    (p->tcp_flags & (MS_TCP_FIN | MS_TCP_RST)) || ms_is_neighbor_discovery(p))
		return ms_judge_packet(p, &s->meta, &s->key);

	entry = bpf_map_lookup_elem(&ms_conntrack, &s->key);
	if (!entry) {
		s->meta.conntrack_missed = 1;
		return ms_judge_packet(p, &s->meta, &s->key);
	}
	config = ms_active_slot(&slot);
	/* A revoked flow's entry stays to drop its packets; the slow path says why. */
	if (!config || entry->generation != config->generation || entry->verdict == MS_VERDICT_DENY)
		return ms_judge_packet(p, &s->meta, &s->key);
	now = ms_now();
	if (ms_conntrack_expired(entry, p->protocol, now))
		return ms_judge_packet(p, &s->meta, &s->key);

	/* Without FIN or RST the accounting cannot close the flow: nothing to report. */
	ms_conntrack_account(entry, p, direction, packet_len, now);
	return ms_finish(ifindex, direction, packet_len, entry->verdict, MS_REASON_ESTABLISHED,
			 entry->rule_id);
}

#endif /* MS_DATAPATH_H */
