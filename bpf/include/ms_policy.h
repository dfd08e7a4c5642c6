/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The policy lookup: (endpoint, remote, direction, protocol, port) -> allow or deny and the
 * deciding rule, double-buffered by slot. At most four hash probes for the key (the
 * endpoint's flags skip wildcard keys that do not exist), then one exact-port probe and a
 * scan of at most MS_MAX_PORT_RANGES inline ranges: O(1) in the number of rules.
 */
#ifndef MS_POLICY_H
#define MS_POLICY_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "microseg_abi.h"

#ifndef MS_MAX_POLICY_KEYS
#define MS_MAX_POLICY_KEYS (2 * 65536)
#endif
#ifndef MS_MAX_POLICY_PORTS
#define MS_MAX_POLICY_PORTS (2 * 65536)
#endif
#ifndef MS_MAX_POLICY_RANGE_KEYS
#define MS_MAX_POLICY_RANGE_KEYS (2 * 16384)
#endif

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MS_MAX_POLICY_KEYS);
	__type(key, struct ms_policy_key);
	__type(value, struct ms_policy_value);
} ms_policy SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MS_MAX_POLICY_PORTS);
	__type(key, struct ms_policy_port_key);
	__type(value, struct ms_rule_action);
} ms_policy_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MS_MAX_POLICY_RANGE_KEYS);
	__type(key, struct ms_policy_key);
	__type(value, struct ms_policy_ranges);
} ms_policy_ranges SEC(".maps");

/* The outcome of a policy lookup. */
struct ms_decision {
	__u32 rule_id; /* 0 when the endpoint default decided */
	__u8  action;  /* enum ms_action */
	__u8  reason;  /* MS_REASON_POLICY_RULE or MS_REASON_POLICY_DEFAULT */
	__u8  pad[2];
};

/* A policy question, by value: global functions cannot follow pointers inside arguments. */
struct ms_policy_query {
	__u32 slot;
	__u32 local_identity;
	__u32 remote_identity;
	__u16 port;            /* destination port or ICMP type, host order */
	__u8  endpoint_flags;  /* MS_ENDPOINT_F_* of the local endpoint */
	__u8  direction;
	__u8  protocol;
	__u8  pad[3];
};

/* Judges port under one policy key. Returns 1 and fills *d when a rule matched, else 0. */
static __always_inline int ms_judge_port(const struct ms_policy_key *key,
					 const struct ms_policy_value *value, __u16 port,
					 struct ms_decision *d)
{
	if ((value->flags & MS_POLICY_F_EXACT_PORTS) &&
	    (value->exact_port_filter & (1u << (port & 15)))) {
		struct ms_policy_port_key pkey = { .policy = *key, .port = port };
		struct ms_rule_action *exact = bpf_map_lookup_elem(&ms_policy_ports, &pkey);

		if (exact) {
			d->rule_id = exact->rule_id;
			d->action = exact->action;
			return 1;
		}
	}
	if ((value->flags & MS_POLICY_F_PORT_RANGES) && port >= value->range_first_port &&
	    port <= value->range_last_port) {
		struct ms_policy_ranges *ranges = bpf_map_lookup_elem(&ms_policy_ranges, key);

		if (ranges) {
			for (__u32 i = 0; i < MS_MAX_PORT_RANGES; i++) {
				struct ms_port_range *r = &ranges->ranges[i];

				/* Sorted by first_port: past the port, nothing later can match. */
				if (i >= ranges->count || port < r->first_port)
					break;
				if (port <= r->last_port) {
					d->rule_id = r->rule_id;
					d->action = r->action;
					return 1;
				}
			}
		}
	}
	if (value->flags & MS_POLICY_F_ANY_PORT) {
		d->rule_id = value->any_port_rule_id;
		d->action = value->any_port_action;
		return 1;
	}
	return 0;
}

static __always_inline struct ms_policy_value *ms_probe_policy(struct ms_policy_key *key,
							       __u32 remote, __u8 protocol)
{
	key->remote_identity = remote;
	key->protocol = protocol;
	return bpf_map_lookup_elem(&ms_policy, key);
}

/*
 * Decides a flow's first packet; always fills *d (a rule, or the endpoint default).
 * Inlined into ms_decide_global (ms_flows.h), the one global function every judgement
 * calls: a mid-stream flow asks twice, and the verifier checks the lookup once.
 * Returns 0, or -1 when called with NULL (never, from our programs).
 */
static __always_inline int ms_policy_decide(const struct ms_policy_query *q, struct ms_decision *d)
{
	struct ms_policy_key key = {};
	struct ms_policy_value *value;
	__u8 any_remote, any_protocol, default_allow;

	if (!q || !d)
		return -1;
	any_remote = q->direction == MS_DIRECTION_INGRESS ? MS_ENDPOINT_F_INGRESS_ANY_REMOTE
							  : MS_ENDPOINT_F_EGRESS_ANY_REMOTE;
	any_protocol = q->direction == MS_DIRECTION_INGRESS ? MS_ENDPOINT_F_INGRESS_ANY_PROTOCOL
							    : MS_ENDPOINT_F_EGRESS_ANY_PROTOCOL;
	default_allow = q->direction == MS_DIRECTION_INGRESS ? MS_ENDPOINT_F_INGRESS_DEFAULT_ALLOW
							     : MS_ENDPOINT_F_EGRESS_DEFAULT_ALLOW;
	key.local_identity = q->local_identity;
	key.slot = (__u8)q->slot;
	key.direction = q->direction;

	/* The compiler folded every applicable rule into the most specific key that exists,
	 * so the first key found decides alone. */
	value = ms_probe_policy(&key, q->remote_identity, q->protocol);
	if (!value && (q->endpoint_flags & any_remote))
		value = ms_probe_policy(&key, MS_IDENTITY_ANY, q->protocol);
	if (!value && (q->endpoint_flags & any_protocol))
		value = ms_probe_policy(&key, q->remote_identity, MS_PROTOCOL_ANY);
	if (!value && (q->endpoint_flags & any_protocol) && (q->endpoint_flags & any_remote))
		value = ms_probe_policy(&key, MS_IDENTITY_ANY, MS_PROTOCOL_ANY);

	if (value && ms_judge_port(&key, value, q->port, d)) {
		d->reason = MS_REASON_POLICY_RULE;
		return 0;
	}
	d->rule_id = 0;
	d->action = (q->endpoint_flags & default_allow) ? MS_ACTION_ALLOW : MS_ACTION_DENY;
	d->reason = MS_REASON_POLICY_DEFAULT;
	return 0;
}

#endif /* MS_POLICY_H */
