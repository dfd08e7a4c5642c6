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

/* A TCP segment other than a SYN: it belongs to a connection opened earlier, and, with no
 * conntrack entry, nothing says by which side. */
static __always_inline int ms_is_mid_stream(const struct ms_packet *p)
{
	return p->protocol == IPPROTO_TCP && !ms_is_connection_attempt(p);
}

static __always_inline __u8 ms_reverse(__u8 direction)
{
	return direction == MS_DIRECTION_INGRESS ? MS_DIRECTION_EGRESS : MS_DIRECTION_INGRESS;
}

/* The policy port of the connection a flow is if it was opened in `direction`: the local
 * port if the remote opened it (ingress), the remote's port if the local side did. */
static __always_inline __u16 ms_opener_port(const struct ms_conntrack_key *key, __u8 direction)
{
	return bpf_ntohs(direction == MS_DIRECTION_INGRESS ? key->local_port : key->remote_port);
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

/*
 * The policy lookup, as a global function: the verifier checks it once, in isolation,
 * instead of once per path into each place that asks (a mid-stream flow asks twice). Inline
 * at two places, and a third for the reverse connection of a mid-stream flow, the programs
 * took 40-70% more verifier work to load than they do now with all of them calling this;
 * the call costs denied packets and new flows a few ns (docs/benchmarks.md), never an
 * established packet. Returns 0, or -1 when called with NULL (never, from our programs).
 */
__noinline int ms_decide_global(const struct ms_policy_query *q, struct ms_decision *d)
{
	if (!q || !d)
		return -1;
	return ms_policy_decide(q, d);
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

	ms_decide_global(&q, d);
}

/* Tracks a flow from this packet (sent in `direction`) as *f describes its opening. */
static __always_inline void ms_conntrack_insert(const struct ms_conntrack_key *key,
						const struct ms_packet *p, __u8 direction,
						const struct ms_flow_facts *f, __u8 origin,
						__u8 verdict, __u32 rule_id, __u32 bytes,
						__u64 now)
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
		.origin = origin,
	};

	if (direction == MS_DIRECTION_INGRESS)
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

/*
 * A flow whose opener is unknown (picked up mid-stream) is allowed only if the policy allows
 * it whichever side opened it. *d holds the decision for the connection *f describes; when
 * that allows, the reverse connection (opened by the other side, to the other side's port)
 * is judged too, and if it does not allow, it decides and *f becomes it. Without this, the
 * server's reply to a connection the policy no longer allows would pass as the server's own
 * new connection (its egress default), and let the client's data back in behind it.
 */
static __always_inline void ms_decide_either_opener(__u32 slot, const struct ms_endpoint_value *ep,
						    const struct ms_conntrack_key *key,
						    struct ms_flow_facts *f, struct ms_decision *d)
{
	struct ms_decision other = {};
	__u8 reverse = ms_reverse(f->direction);
	__u16 port = ms_opener_port(key, reverse);

	if (d->action != MS_ACTION_ALLOW)
		return;
	ms_decide(slot, ep, f->remote_identity, reverse, key->protocol, port, &other);
	if (other.action == MS_ACTION_ALLOW)
		return;
	*d = other;
	f->direction = reverse;
	f->policy_port = port;
}

/* A packet of a flow a policy change revoked (enforce): dropped, whichever side sends it.
 * The entry stays, kept alive by these packets, so that neither side can open the flow
 * again behind the revocation, not even a UDP reply that would look like a new flow. */
static __always_inline void ms_judge_revoked(struct ms_conntrack_entry *entry, __u64 now,
					     struct ms_outcome *o)
{
	if (entry->last_seen != now)
		entry->last_seen = now;
	o->verdict = MS_VERDICT_DENY;
	o->reason = MS_REASON_POLICY_REVOKED;
	o->rule_id = entry->rule_id;
}

/* A flow tracked under an older policy generation, judged again by *d (for the connection
 * *f describes). Denied in enforce mode: this and every later packet dropped. */
static __always_inline void ms_rejudged(struct ms_conntrack_entry *entry,
					const struct ms_conntrack_key *key, const struct ms_packet *p,
					__u8 direction, const struct ms_endpoint_value *ep,
					const struct ms_flow_facts *f, const struct ms_decision *d,
					__u32 bytes, __u64 now, struct ms_outcome *o)
{
	entry->generation = f->generation;
	entry->rule_id = d->rule_id;
	entry->local_identity = f->local_identity;
	entry->remote_identity = f->remote_identity;
	if (d->action == MS_ACTION_DENY && ep->mode == MS_MODE_ENFORCE) {
		/* Its end is reported once, when revoked, not again under each later policy. */
		if (entry->verdict != MS_VERDICT_DENY)
			ms_report(key, p, f, MS_EVENT_FLOW_END, MS_VERDICT_DENY,
				  MS_REASON_POLICY_REVOKED, d->rule_id, entry->packets, entry->bytes, 0,
				  p->tcp_flags, now);
		entry->verdict = MS_VERDICT_DENY;
		ms_judge_revoked(entry, now, o);
		return;
	}
	if (d->action == MS_ACTION_ALLOW) {
		/* A revoked flow the policy allows again is admitted again, and says so. */
		if (entry->verdict == MS_VERDICT_DENY)
			ms_report(key, p, f, MS_EVENT_NEW_FLOW, MS_VERDICT_ALLOW, d->reason, d->rule_id,
				  1, bytes, 0, p->tcp_flags, now);
		entry->verdict = MS_VERDICT_ALLOW;
	} else if (entry->verdict != MS_VERDICT_WOULD_DENY) {
		entry->verdict = MS_VERDICT_WOULD_DENY;
		ms_report_denial(key, p, f, MS_EVENT_WOULD_DENY, MS_REASON_POLICY_REVOKED, d->rule_id,
				 bytes, now);
	}
	ms_account_tracked(entry, key, p, direction, f->generation, f->ifindex, bytes, now, o);
}

/* A flow conntrack does not know (or that a SYN starts afresh), judged by *d: if it may pass
 * (or, in monitor mode, would be denied), tracked from here on. */
static __always_inline void ms_judged_new(const struct ms_packet *p,
					  const struct ms_conntrack_key *key, __u8 direction,
					  const struct ms_endpoint_value *ep,
					  const struct ms_flow_facts *f, const struct ms_decision *d,
					  __u8 origin, __u32 bytes, __u64 now, struct ms_outcome *o)
{
	/* ICMP errors and stray RSTs are not flows: judged, never tracked. */
	int trackable = !p->icmp_error && !(p->protocol == IPPROTO_TCP && (p->tcp_flags & MS_TCP_RST));

	o->rule_id = d->rule_id;
	o->reason = d->reason;
	if (d->action == MS_ACTION_ALLOW) {
		o->verdict = MS_VERDICT_ALLOW;
		if (trackable) {
			ms_conntrack_insert(key, p, direction, f, origin, MS_VERDICT_ALLOW, d->rule_id,
					    bytes, now);
			ms_report(key, p, f, MS_EVENT_NEW_FLOW, MS_VERDICT_ALLOW, d->reason, d->rule_id,
				  1, bytes, 0, p->tcp_flags, now);
		}
		return;
	}
	if (ep->mode == MS_MODE_ENFORCE) {
		o->verdict = MS_VERDICT_DENY;
		ms_report_denial(key, p, f, MS_EVENT_DENY, d->reason, d->rule_id, bytes, now);
		return;
	}
	/* Monitor: passes, tracked so the flow is reported once, not once per packet. */
	o->verdict = MS_VERDICT_WOULD_DENY;
	if (trackable)
		ms_conntrack_insert(key, p, direction, f, origin, MS_VERDICT_WOULD_DENY, d->rule_id,
				    bytes, now);
	ms_report_denial(key, p, f, MS_EVENT_WOULD_DENY, d->reason, d->rule_id, bytes, now);
}

/*
 * A packet the policy must judge, with entry the flow's conntrack entry from an older policy
 * generation, or NULL for a flow conntrack does not know (or that a SYN starts afresh).
 * A tracked flow is judged again as the connection it is, from the side that opened it,
 * whichever side sends this packet, so a policy that now denies it stops both directions;
 * a TCP segment other than a SYN, with no entry, as the connection whichever side opened
 * it. One policy lookup site serves both (the verifier walks each inline copy).
 */
static __always_inline void ms_judge_flow(struct ms_conntrack_entry *entry,
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
		.policy_port = ms_policy_port_of(p),
		.direction = direction,
	};
	__u8 origin = ms_is_mid_stream(p) ? MS_ORIGIN_MID_STREAM : MS_ORIGIN_FIRST_PACKET;

	if (entry) {
		f.policy_port = entry->policy_port;
		f.direction = entry->origin_direction;
		origin = entry->origin;
	}
	ms_decide(slot, ep, f.remote_identity, f.direction, key->protocol, f.policy_port, &d);
	if (origin == MS_ORIGIN_MID_STREAM)
		ms_decide_either_opener(slot, ep, key, &f, &d);
	if (entry)
		ms_rejudged(entry, key, p, direction, ep, &f, &d, bytes, now, o);
	else
		ms_judged_new(p, key, direction, ep, &f, &d, origin, bytes, now, o);
}

#endif /* MS_FLOWS_H */
