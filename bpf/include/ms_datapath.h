/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The per-packet pipeline both programs share: parse -> endpoint and mode -> conntrack ->
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

enum ms_disposition {
	MS_DISPOSITION_PASS = 0,
	MS_DISPOSITION_DROP = 1,
};

/* The verdict for one packet and what produced it. */
struct ms_outcome {
	__u32 rule_id;
	__u8  verdict; /* enum ms_verdict */
	__u8  reason;  /* enum ms_reason */
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

/* The port a rule is written against: destination port, or the ICMP type. */
static __always_inline __u16 ms_policy_port_of(const struct ms_packet *p)
{
	if (p->protocol == IPPROTO_ICMP || p->protocol == IPPROTO_ICMPV6)
		return p->icmp_type;
	if (p->protocol == IPPROTO_TCP || p->protocol == IPPROTO_UDP)
		return bpf_ntohs(p->dst_port);
	return 0;
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
	if (first && now - first->first_seen_ns <= ms_fragment_timeout_ns) {
		o->verdict = first->verdict;
		o->reason = MS_REASON_FRAGMENT;
		o->rule_id = first->rule_id;
		return;
	}
	o->verdict = ms_unjudgeable_verdict(mode);
	o->reason = MS_REASON_FRAGMENT_UNTRACKED;
	o->rule_id = 0;
}

/* The CPU's event record, filled with what describes the flow; kind, verdict and counts
 * come later. NULL only if the scratch map is missing, and then nothing is reported. */
static __always_inline struct ms_flow_event *
ms_describe_flow(const struct ms_conntrack_key *key, const struct ms_packet *p,
		 __u32 local_identity, __u32 ifindex, __u32 generation, __u8 direction, __u64 now)
{
	struct ms_flow_event *ev = ms_event_record();

	if (!ev)
		return NULL;
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->timestamp_ns = now;
	ev->local_addr = key->local_addr;
	ev->remote_addr = key->remote_addr;
	ev->local_port = key->local_port;
	ev->remote_port = key->remote_port;
	ev->local_identity = local_identity;
	ev->remote_identity = MS_IDENTITY_WORLD;
	ev->ifindex = ifindex;
	ev->policy_generation = generation;
	ev->protocol = p->protocol;
	ev->direction = direction;
	ev->tcp_flags = p->tcp_flags;
	ev->policy_port = ms_policy_port_of(p);
	return ev;
}

static __always_inline int ms_report(struct ms_flow_event *ev, __u8 kind, __u8 verdict,
				     __u8 reason, __u32 rule_id, __u64 packets, __u64 bytes)
{
	if (!ev)
		return 0;
	ev->kind = kind;
	ev->verdict = verdict;
	ev->reason = reason;
	ev->rule_id = rule_id;
	ev->packets = packets;
	ev->bytes = bytes;
	/* Denials are what floods produce; they alone pass the per-remote token bucket. */
	return ms_emit_event(ev, kind == MS_EVENT_DENY || kind == MS_EVENT_WOULD_DENY);
}

static __always_inline void ms_decide(__u32 slot, const struct ms_endpoint_value *ep,
				      __u32 remote_identity, __u8 direction, __u8 protocol,
				      __u16 port, struct ms_decision *d)
{
	struct ms_policy_query q = {
		.slot = slot,
		.local_identity = ep->identity,
		.remote_identity = remote_identity,
		.port = port,
		.endpoint_flags = ep->flags,
		.direction = direction,
		.protocol = protocol,
	};

	ms_policy_decide(&q, d);
}

static __always_inline void ms_conntrack_insert(const struct ms_conntrack_key *key,
						const struct ms_packet *p, __u8 direction,
						__u32 generation, __u32 local_identity,
						__u32 remote_identity, __u32 ifindex, __u16 policy_port,
						__u8 verdict, __u32 rule_id, __u32 bytes, __u64 now)
{
	struct ms_conntrack_entry entry = {
		.last_seen_ns = now,
		.packets = 1,
		.bytes = bytes,
		.generation = generation,
		.rule_id = rule_id,
		.local_identity = local_identity,
		.remote_identity = remote_identity,
		.ifindex = ifindex,
		.policy_port = policy_port,
		.origin_direction = direction,
		.verdict = verdict,
	};

	if (direction == MS_DIRECTION_INGRESS)
		entry.tcp_flags_remote = p->tcp_flags;
	else
		entry.tcp_flags_local = p->tcp_flags;
	bpf_map_update_elem(&ms_conntrack, key, &entry, BPF_ANY);
}

/* A packet of a flow admitted under the live policy: count it, notice its end. */
static __always_inline void ms_account_tracked(struct ms_conntrack_entry *entry,
					       const struct ms_conntrack_key *key,
					       const struct ms_packet *p, __u8 direction,
					       const struct ms_slot_config *config, __u32 ifindex,
					       __u32 bytes, __u64 now, struct ms_outcome *o)
{
	if (ms_conntrack_account(entry, p, direction, bytes, now)) {
		struct ms_flow_event *ev = ms_describe_flow(key, p, entry->local_identity, ifindex,
							    config->generation,
							    entry->origin_direction, now);

		if (ev) {
			ev->policy_port = entry->policy_port;
			ev->remote_identity = entry->remote_identity;
			ev->tcp_flags = entry->tcp_flags_local | entry->tcp_flags_remote;
			ms_report(ev, MS_EVENT_FLOW_END, entry->verdict, MS_REASON_ESTABLISHED,
				  entry->rule_id, entry->packets, entry->bytes);
		}
	}
	o->verdict = entry->verdict;
	o->reason = MS_REASON_ESTABLISHED;
	o->rule_id = entry->rule_id;
}

/* A packet of a tracked flow. Under a newer policy generation the flow is judged again as
 * if it were new: a policy that now denies it stops it on this packet. */
static __always_inline void ms_judge_tracked(struct ms_conntrack_entry *entry,
					     struct ms_conntrack_key *key,
					     const struct ms_packet *p, __u8 direction, __u32 slot,
					     const struct ms_slot_config *config,
					     const struct ms_endpoint_value *ep, __u32 ifindex,
					     __u32 bytes, __u64 now, struct ms_outcome *o)
{
	if (entry->generation != config->generation) {
		struct ms_flow_event *ev = ms_describe_flow(key, p, ep->identity, ifindex,
							    config->generation,
							    entry->origin_direction, now);
		struct ms_decision d = {};
		__u32 remote_identity = ms_lookup_remote_identity(slot, &key->remote_addr, config);

		ms_decide(slot, ep, remote_identity, entry->origin_direction, key->protocol,
			  entry->policy_port, &d);
		if (ev) {
			ev->policy_port = entry->policy_port;
			ev->remote_identity = remote_identity;
		}
		if (d.action == MS_ACTION_DENY && ep->mode == MS_MODE_ENFORCE) {
			ms_report(ev, MS_EVENT_FLOW_END, MS_VERDICT_DENY, MS_REASON_POLICY_REVOKED,
				  d.rule_id, entry->packets, entry->bytes);
			bpf_map_delete_elem(&ms_conntrack, key);
			o->verdict = MS_VERDICT_DENY;
			o->reason = MS_REASON_POLICY_REVOKED;
			o->rule_id = d.rule_id;
			return;
		}
		entry->generation = config->generation;
		entry->rule_id = d.rule_id;
		entry->local_identity = ep->identity;
		entry->remote_identity = remote_identity;
		if (d.action == MS_ACTION_ALLOW) {
			entry->verdict = MS_VERDICT_ALLOW;
		} else if (entry->verdict != MS_VERDICT_WOULD_DENY) {
			entry->verdict = MS_VERDICT_WOULD_DENY;
			ms_report(ev, MS_EVENT_WOULD_DENY, MS_VERDICT_WOULD_DENY,
				  MS_REASON_POLICY_REVOKED, d.rule_id, 1, bytes);
		}
	}
	ms_account_tracked(entry, key, p, direction, config, ifindex, bytes, now, o);
}

/* A TCP SYN without ACK, RST or FIN: a connection attempt, always judged by the policy. */
static __always_inline int ms_is_connection_attempt(const struct ms_packet *p)
{
	return p->protocol == IPPROTO_TCP &&
	       (p->tcp_flags & (MS_TCP_SYN | MS_TCP_ACK | MS_TCP_RST | MS_TCP_FIN)) == MS_TCP_SYN;
}

/* A flow conntrack does not know (or that a SYN starts afresh): judged by the policy and,
 * if it may pass (or, in monitor mode, would be denied), tracked from here on. */
static __always_inline void ms_judge_new_flow(const struct ms_packet *p, struct ms_conntrack_key *key,
					      __u8 direction, __u32 slot,
					      const struct ms_slot_config *config,
					      const struct ms_endpoint_value *ep, __u32 ifindex,
					      __u32 bytes, __u64 now, struct ms_outcome *o)
{
	__u32 remote_identity = ms_lookup_remote_identity(slot, &key->remote_addr, config);
	__u16 policy_port = ms_policy_port_of(p);
	struct ms_flow_event *ev;
	struct ms_decision d = {};
	int trackable;

	ms_decide(slot, ep, remote_identity, direction, p->protocol, policy_port, &d);
	ev = ms_describe_flow(key, p, ep->identity, ifindex, config->generation, direction, now);
	if (ev)
		ev->remote_identity = remote_identity;
	o->rule_id = d.rule_id;
	o->reason = d.reason;
	/* ICMP errors and stray RSTs are not flows: judged, never tracked. */
	trackable = !p->icmp_error && !(p->protocol == IPPROTO_TCP && (p->tcp_flags & MS_TCP_RST));

	if (d.action == MS_ACTION_ALLOW) {
		o->verdict = MS_VERDICT_ALLOW;
		if (trackable) {
			ms_conntrack_insert(key, p, direction, config->generation, ep->identity,
					    remote_identity, ifindex, policy_port, MS_VERDICT_ALLOW,
					    d.rule_id, bytes, now);
			ms_report(ev, MS_EVENT_NEW_FLOW, MS_VERDICT_ALLOW, d.reason, d.rule_id, 1, bytes);
		}
		return;
	}
	if (ep->mode == MS_MODE_ENFORCE) {
		o->verdict = MS_VERDICT_DENY;
		ms_report(ev, MS_EVENT_DENY, MS_VERDICT_DENY, d.reason, d.rule_id, 1, bytes);
		return;
	}
	/* Monitor: passes, tracked so the flow is reported once, not once per packet. */
	o->verdict = MS_VERDICT_WOULD_DENY;
	if (trackable)
		ms_conntrack_insert(key, p, direction, config->generation, ep->identity,
				    remote_identity, ifindex, policy_port, MS_VERDICT_WOULD_DENY,
				    d.rule_id, bytes, now);
	ms_report(ev, MS_EVENT_WOULD_DENY, MS_VERDICT_WOULD_DENY, d.reason, d.rule_id, 1, bytes);
}

/* What the entry point knows besides the parsed packet. */
struct ms_packet_meta {
	__u32 ifindex;
	__u32 packet_len;   /* the whole packet; on TC it can exceed the linear data */
	__u8  direction;    /* enum ms_direction */
	__u8  parse_result; /* enum ms_parse_result */
	__u8  pad[2];
};

/*
 * Everything after parsing: endpoint and mode, conntrack, policy, counters, events. A global
 * function taking the parsed packet by pointer, so the verifier checks this logic once
 * rather than once for every way the parser can finish. Returns an enum ms_disposition.
 */
__noinline int ms_judge_packet(const struct ms_packet *p, const struct ms_packet_meta *meta)
{
	struct ms_endpoint_value fallback = {};
	const struct ms_endpoint_value *ep;
	struct ms_conntrack_key key = {};
	struct ms_conntrack_entry *entry;
	const struct ms_addr *local;
	struct ms_slot_config *config;
	struct ms_outcome o = {};
	__u32 slot, ifindex, bytes;
	__u8 direction, parsed;
	__u64 now;

	if (!p || !meta)
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
		ep = ms_lookup_endpoint(slot, local, config, &fallback);
		if (ep->mode == MS_MODE_OFF)
			return ms_finish(ifindex, direction, bytes, MS_VERDICT_UNENFORCED,
					 MS_REASON_ENDPOINT_OFF, 0);
		return ms_finish(ifindex, direction, bytes, ms_unjudgeable_verdict(ep->mode),
				 MS_REASON_MALFORMED, 0);
	}
	if (ms_is_neighbor_discovery(p))
		return ms_finish(ifindex, direction, bytes, MS_VERDICT_UNENFORCED,
				 MS_REASON_NEIGHBOR_DISCOVERY, 0);

	now = bpf_ktime_get_coarse_ns();
	if (p->fragment == MS_FRAGMENT_LATER) {
		ep = ms_lookup_endpoint(slot, local, config, &fallback);
		if (ep->mode == MS_MODE_OFF)
			return ms_finish(ifindex, direction, bytes, MS_VERDICT_UNENFORCED,
					 MS_REASON_ENDPOINT_OFF, 0);
		ms_judge_later_fragment(p, ep->mode, now, &o);
		return ms_finish(ifindex, direction, bytes, o.verdict, o.reason, o.rule_id);
	}

	if (p->icmp_error) {
		ms_conntrack_key_of_quote(p, direction, &key);
		entry = bpf_map_lookup_elem(&ms_conntrack, &key);
		/* Related only to a flow currently allowed under this very policy. */
		if (entry && entry->verdict == MS_VERDICT_ALLOW &&
		    entry->generation == config->generation &&
		    !ms_conntrack_expired(entry, key.protocol, now))
			return ms_finish(ifindex, direction, bytes, MS_VERDICT_ALLOW,
					 MS_REASON_RELATED, entry->rule_id);
	}

	/* Conntrack before the endpoint: a flow admitted under the live policy needs nothing
	 * else (its endpoint's mode cannot have changed without a new generation). */
	ms_conntrack_key_of(p, direction, &key);
	entry = NULL;
	if (!ms_is_connection_attempt(p)) {
		entry = bpf_map_lookup_elem(&ms_conntrack, &key);
		if (entry && ms_conntrack_expired(entry, p->protocol, now)) {
			bpf_map_delete_elem(&ms_conntrack, &key);
			entry = NULL;
		}
	}
	if (entry && entry->generation == config->generation) {
		ms_account_tracked(entry, &key, p, direction, config, ifindex, bytes, now, &o);
	} else {
		ep = ms_lookup_endpoint(slot, local, config, &fallback);
		if (ep->mode == MS_MODE_OFF)
			return ms_finish(ifindex, direction, bytes, MS_VERDICT_UNENFORCED,
					 MS_REASON_ENDPOINT_OFF, 0);
		if (entry)
			ms_judge_tracked(entry, &key, p, direction, slot, config, ep, ifindex, bytes,
					 now, &o);
		else
			ms_judge_new_flow(p, &key, direction, slot, config, ep, ifindex, bytes, now, &o);
		if (p->fragment == MS_FRAGMENT_FIRST)
			ms_fragment_remember(p, o.verdict, o.rule_id, now);
	}
	return ms_finish(ifindex, direction, bytes, o.verdict, o.reason, o.rule_id);
}

/* One packet, in either direction: parse here, where the packet pointers are, then judge. */
static __always_inline int ms_handle_packet(void *data, void *data_end, __u32 packet_len,
					    __u32 ifindex, __u8 direction)
{
	struct ms_packet p = {};
	struct ms_packet_meta meta = {
		.ifindex = ifindex,
		.packet_len = packet_len,
		.direction = direction,
	};

	meta.parse_result = ms_parse_packet(data, data_end, packet_len, &p);
	return ms_judge_packet(&p, &meta);
}

#endif /* MS_DATAPATH_H */
