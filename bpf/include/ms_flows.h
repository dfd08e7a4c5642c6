/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Judging one flow's packet once it is parsed and attributed: a tracked flow by its
 * conntrack entry (re-judged under a newer policy generation), a new one by the policy.
 * Also what a flow reports: new flow, deny, would-deny, flow end.
 */
#ifndef MS_FLOWS_H
#define MS_FLOWS_H

#include "microseg_abi.h"
#include "ms_parse.h"
#include "ms_identity.h"
#include "ms_policy.h"
#include "ms_conntrack.h"
#include "ms_events.h"

/* The verdict for one packet and what produced it. */
struct ms_outcome {
	__u32 rule_id;
	__u8  verdict; /* enum ms_verdict */
	__u8  reason;  /* enum ms_reason */
};

/* What describes a flow in its events, besides its conntrack key. */
struct ms_flow_facts {
	__u32 local_identity;
	__u32 remote_identity;
	__u32 ifindex;
	__u32 generation;
	__u16 policy_port;
	__u8  direction;       /* the flow's first packet's */
};

/* The port a rule is written against: destination port, or the ICMP type. */
static __always_inline __u16 ms_policy_port_of(const struct ms_packet *p)
{
	if (p->protocol == IPPROTO_ICMP || p->protocol == IPPROTO_ICMPV6)
		return p->icmp_type;
	if (p->protocol == IPPROTO_TCP || p->protocol == IPPROTO_UDP)
		return bpf_ntohs(p->dst_port);
	return 0;
}

/* A TCP SYN without ACK, RST or FIN: a connection attempt, always judged by the policy. */
static __always_inline int ms_is_connection_attempt(const struct ms_packet *p)
{
	return p->protocol == IPPROTO_TCP &&
	       (p->tcp_flags & (MS_TCP_SYN | MS_TCP_ACK | MS_TCP_RST | MS_TCP_FIN)) == MS_TCP_SYN;
}

/* Fills the CPU's event record; NULL only if the per-CPU scratch is missing. */
static __always_inline struct ms_flow_event *
ms_build_event(const struct ms_conntrack_key *key, const struct ms_packet *p,
	       const struct ms_flow_facts *f, __u8 kind, __u8 verdict, __u8 reason, __u32 rule_id,
	       __u64 packets, __u64 bytes, __u8 tcp_flags)
{
	struct ms_flow_event *ev = ms_event_record();

	if (!ev)
		return NULL;
	ev->timestamp_ns = bpf_ktime_get_coarse_ns();
	ev->local_addr = key->local_addr;
	ev->remote_addr = key->remote_addr;
	ev->local_port = key->local_port;
	ev->remote_port = key->remote_port;
	ev->local_identity = f->local_identity;
	ev->remote_identity = f->remote_identity;
	ev->rule_id = rule_id;
	ev->ifindex = f->ifindex;
	ev->policy_generation = f->generation;
	ev->suppressed = 0;
	ev->kind = kind;
	ev->direction = f->direction;
	ev->protocol = p->protocol;
	ev->reason = reason;
	ev->verdict = verdict;
	ev->tcp_flags = tcp_flags;
	ev->policy_port = f->policy_port;
	ev->pad = 0;
	ev->packets = packets;
	ev->bytes = bytes;
	return ev;
}

/* Builds an event in the CPU's record and sends it. suppressed and now are no longer used
 * (denials without an event are summarised); kept so the callers stay as they are. */
static __always_inline void ms_report(const struct ms_conntrack_key *key, const struct ms_packet *p,
				      const struct ms_flow_facts *f, __u8 kind, __u8 verdict,
				      __u8 reason, __u32 rule_id, __u64 packets, __u64 bytes,
				      __u32 suppressed, __u8 tcp_flags, __u64 now)
{
	ms_emit_event(ms_build_event(key, p, f, kind, verdict, reason, rule_id, packets, bytes,
				     tcp_flags));
}

/* Deny and would-deny: sent within the remote's and the global rate, else summarised
 * (ms_emit_denial reads its own clock). */
static __always_inline void ms_report_denial(const struct ms_conntrack_key *key,
					     const struct ms_packet *p,
					     const struct ms_flow_facts *f, __u8 kind, __u8 reason,
					     __u32 rule_id, __u32 bytes, __u64 now)
{
	ms_emit_denial(ms_build_event(key, p, f, kind,
				      kind == MS_EVENT_DENY ? MS_VERDICT_DENY : MS_VERDICT_WOULD_DENY,
				      reason, rule_id, 1, bytes, p->tcp_flags));
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
						const struct ms_packet *p,
						const struct ms_flow_facts *f, __u8 verdict,
						__u32 rule_id, __u32 bytes, __u64 now)
{
	struct ms_conntrack_entry entry = {
		.last_seen = now,
		.packets = 1,
		.bytes = bytes,
		.generation = f->generation,
		.rule_id = rule_id,
		.local_identity = f->local_identity,
		.remote_identity = f->remote_identity,
		.ifindex = f->ifindex,
		.policy_port = f->policy_port,
		.origin_direction = f->direction,
		.verdict = verdict,
	};

	if (f->direction == MS_DIRECTION_INGRESS)
		entry.tcp_flags_remote = p->tcp_flags;
	else
		entry.tcp_flags_local = p->tcp_flags;
	bpf_map_update_elem(&ms_conntrack, key, &entry, BPF_ANY);
}

/* A packet of a flow admitted under the live policy: count it, report its end once. */
static __always_inline void ms_account_tracked(struct ms_conntrack_entry *entry,
					       const struct ms_conntrack_key *key,
					       const struct ms_packet *p, __u8 direction,
					       __u32 generation, __u32 ifindex, __u32 bytes,
					       __u64 now, struct ms_outcome *o)
{
	if (ms_conntrack_account(entry, p, direction, bytes, now)) {
		struct ms_flow_facts f = {
			.local_identity = entry->local_identity,
			.remote_identity = entry->remote_identity,
			.ifindex = ifindex,
			.generation = generation,
			.policy_port = entry->policy_port,
			.direction = entry->origin_direction,
		};

		ms_report(key, p, &f, MS_EVENT_FLOW_END, entry->verdict, MS_REASON_ESTABLISHED,
			  entry->rule_id, entry->packets, entry->bytes, 0,
			  entry->tcp_flags_local | entry->tcp_flags_remote, now);
	}
	o->verdict = entry->verdict;
	o->reason = MS_REASON_ESTABLISHED;
	o->rule_id = entry->rule_id;
}

/* A packet of a flow tracked under an older policy generation: judged again as if new, so
 * a policy that now denies it stops it on this packet. */
static __always_inline void ms_judge_tracked(struct ms_conntrack_entry *entry,
					     const struct ms_conntrack_key *key,
					     const struct ms_packet *p, __u8 direction, __u32 slot,
					     const struct ms_slot_config *config,
					     const struct ms_endpoint_value *ep, __u32 ifindex,
					     __u32 bytes, __u64 now, struct ms_outcome *o)
{
	struct ms_decision d = {};
	struct ms_flow_facts f = {
		.local_identity = ep->identity,
		.remote_identity = ms_lookup_remote_identity(slot, &key->remote_addr, config),
		.ifindex = ifindex,
		.generation = config->generation,
		.policy_port = entry->policy_port,
		.direction = entry->origin_direction,
	};

	ms_decide(slot, ep, f.remote_identity, f.direction, key->protocol, f.policy_port, &d);
	if (d.action == MS_ACTION_DENY && ep->mode == MS_MODE_ENFORCE) {
		ms_report(key, p, &f, MS_EVENT_FLOW_END, MS_VERDICT_DENY, MS_REASON_POLICY_REVOKED,
			  d.rule_id, entry->packets, entry->bytes, 0, p->tcp_flags, now);
		bpf_map_delete_elem(&ms_conntrack, key);
		o->verdict = MS_VERDICT_DENY;
		o->reason = MS_REASON_POLICY_REVOKED;
		o->rule_id = d.rule_id;
		return;
	}
	entry->generation = config->generation;
	entry->rule_id = d.rule_id;
	entry->local_identity = f.local_identity;
	entry->remote_identity = f.remote_identity;
	if (d.action == MS_ACTION_ALLOW) {
		entry->verdict = MS_VERDICT_ALLOW;
	} else if (entry->verdict != MS_VERDICT_WOULD_DENY) {
		entry->verdict = MS_VERDICT_WOULD_DENY;
		ms_report_denial(key, p, &f, MS_EVENT_WOULD_DENY, MS_REASON_POLICY_REVOKED, d.rule_id,
				 bytes, now);
	}
	ms_account_tracked(entry, key, p, direction, config->generation, ifindex, bytes, now, o);
}

/* A flow conntrack does not know (or that a SYN starts afresh): judged by the policy and,
 * if it may pass (or, in monitor mode, would be denied), tracked from here on. */
static __always_inline void ms_judge_new_flow(const struct ms_packet *p,
					      const struct ms_conntrack_key *key, __u8 direction,
					      __u32 slot, const struct ms_slot_config *config,
					      const struct ms_endpoint_value *ep, __u32 ifindex,
					      __u32 bytes, __u64 now, struct ms_outcome *o)
{
	struct ms_decision d = {};
	struct ms_flow_facts f = {
		.local_identity = ep->identity,
		.remote_identity = ms_lookup_remote_identity(slot, &key->remote_addr, config),
		.ifindex = ifindex,
		.generation = config->generation,
		.policy_port = ms_policy_port_of(p),
		.direction = direction,
	};
	/* ICMP errors and stray RSTs are not flows: judged, never tracked. */
	int trackable = !p->icmp_error && !(p->protocol == IPPROTO_TCP && (p->tcp_flags & MS_TCP_RST));

	ms_decide(slot, ep, f.remote_identity, direction, p->protocol, f.policy_port, &d);
	o->rule_id = d.rule_id;
	o->reason = d.reason;

	if (d.action == MS_ACTION_ALLOW) {
		o->verdict = MS_VERDICT_ALLOW;
		if (trackable) {
			ms_conntrack_insert(key, p, &f, MS_VERDICT_ALLOW, d.rule_id, bytes, now);
			ms_report(key, p, &f, MS_EVENT_NEW_FLOW, MS_VERDICT_ALLOW, d.reason, d.rule_id,
				  1, bytes, 0, p->tcp_flags, now);
		}
		return;
	}
	if (ep->mode == MS_MODE_ENFORCE) {
		o->verdict = MS_VERDICT_DENY;
		ms_report_denial(key, p, &f, MS_EVENT_DENY, d.reason, d.rule_id, bytes, now);
		return;
	}
	/* Monitor: passes, tracked so the flow is reported once, not once per packet. */
	o->verdict = MS_VERDICT_WOULD_DENY;
	if (trackable)
		ms_conntrack_insert(key, p, &f, MS_VERDICT_WOULD_DENY, d.rule_id, bytes, now);
	ms_report_denial(key, p, &f, MS_EVENT_WOULD_DENY, d.reason, d.rule_id, bytes, now);
}

#endif /* MS_FLOWS_H */
