/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The ABI between Microseg's eBPF programs and user space: every map key, map value and
 * event record, defined once. The C# mirrors live in src/Microseg.Datapath/Abi/ and a test
 * compares their sizes and field offsets with this object's BTF, so a change here that is
 * not mirrored fails the build's tests rather than corrupting maps.
 *
 * Conventions: fixed-width fields only; padding is named and must be zero; "be" fields are
 * in network byte order, everything else in host order. Addresses are always 16 bytes:
 * IPv6 as is, IPv4 as the IPv4-mapped IPv6 address ::ffff:a.b.c.d, so one map serves both
 * families and a key never depends on the family.
 *
 * Constants are enums, not #defines, so that they reach the objects' BTF (ms_abi_check.h
 * anchors each enum there) and a test compares every value with its C# mirror.
 */
#ifndef MICROSEG_ABI_H
#define MICROSEG_ABI_H

#include <linux/types.h>

/* ---- Constants --------------------------------------------------------------------- */

/* The layout version of the pinned maps: bumped by any change to a shared map's type, key,
 * value, flags or the meaning of its entries. ms_abi_version holds the version the pinned
 * maps were made with; a daemon adopts only maps of its own version (README: upgrades). */
enum ms_abi {
	MS_ABI_VERSION = 1,
};

/* Identities. 0 is the wildcard in policy keys and never a real identity. */
enum ms_identity_reserved {
	MS_IDENTITY_ANY        = 0,
	MS_IDENTITY_WORLD      = 1,   /* a remote address no identity claims */
	MS_IDENTITY_HOST       = 2,   /* this host itself */
	MS_IDENTITY_FIRST_USER = 256, /* first identity the policy compiler hands out */
};

enum ms_policy_limits {
	/* Policy keys use protocol 0 for "any protocol"; real protocols are IANA numbers. */
	MS_PROTOCOL_ANY    = 0,
	/* Port ranges one policy key can hold inline; more is a capacity error at compile time. */
	MS_MAX_PORT_RANGES = 16,
	/* Policy slots: the maps hold two complete policies; ms_control says which is live. */
	MS_SLOT_COUNT      = 2,
};

enum ms_direction {
	MS_DIRECTION_INGRESS = 0, /* packet arriving at a local endpoint (XDP) */
	MS_DIRECTION_EGRESS  = 1, /* packet leaving a local endpoint (TC) */
};

enum ms_mode {
	MS_MODE_OFF     = 0, /* pass everything, track nothing, report nothing */
	MS_MODE_MONITOR = 1, /* pass everything, report what enforcement would drop */
	MS_MODE_ENFORCE = 2, /* drop what the policy denies */
};

/* How a tracked flow's opener is known, so a policy change judges it from the right side. */
enum ms_flow_origin {
	/* Its first packet opened it (a TCP SYN, a UDP or ICMP packet): origin_direction and
	 * policy_port are the opener's. */
	MS_ORIGIN_FIRST_PACKET = 0,
	/* Picked up mid-stream (a TCP segment other than a SYN, with no entry): either side
	 * may have opened it, so it is allowed only if allowed whichever side did. */
	MS_ORIGIN_MID_STREAM   = 1,
};

enum ms_action {
	MS_ACTION_ALLOW = 1,
	MS_ACTION_DENY  = 2,
};

/* What happened to a packet. Counters and events carry it. */
enum ms_verdict {
	MS_VERDICT_ALLOW      = 1, /* passed: policy or conntrack allowed it */
	MS_VERDICT_DENY       = 2, /* dropped */
	MS_VERDICT_WOULD_DENY = 3, /* passed in monitor mode; enforcement would have dropped it */
	MS_VERDICT_UNENFORCED = 4, /* passed without a policy decision (mode off, not IP, ND) */
};

/* Why: the path that produced the verdict. */
enum ms_reason {
	MS_REASON_POLICY_RULE        = 1,  /* a rule matched (rule_id says which) */
	MS_REASON_POLICY_DEFAULT     = 2,  /* no rule matched: the endpoint's default */
	MS_REASON_ESTABLISHED        = 3,  /* conntrack: a packet of a known flow */
	MS_REASON_RELATED            = 4,  /* ICMP error about a known flow */
	MS_REASON_POLICY_REVOKED     = 5,  /* known flow denied after a policy change, both ways */
	MS_REASON_MALFORMED          = 6,  /* truncated or invalid headers */
	MS_REASON_FRAGMENT           = 7,  /* later fragment following its first fragment */
	MS_REASON_FRAGMENT_UNTRACKED = 8,  /* later fragment whose first fragment was not seen */
	MS_REASON_ENDPOINT_OFF       = 9,  /* local endpoint in mode off */
	MS_REASON_NOT_IP             = 10, /* ARP, LLDP, ...: not ours to judge */
	MS_REASON_NEIGHBOR_DISCOVERY = 11, /* ICMPv6 ND, always passed so IPv6 keeps working */
};

enum ms_event_kind {
	MS_EVENT_NEW_FLOW   = 1, /* first packet of an allowed flow (conntrack entry created) */
	MS_EVENT_DENY       = 2, /* a packet dropped (rate-limited per remote address) */
	MS_EVENT_WOULD_DENY = 3, /* monitor mode: a new flow enforcement would drop (rate-limited) */
	MS_EVENT_FLOW_END   = 4, /* a tracked flow closed (TCP FIN both ways or RST) */
	MS_EVENT_DENY_SUMMARY = 5, /* never in the ring: user space's record of the denials one
	                            * ms_event_summaries entry counted in one interval */
};

/* ms_verdict_counters is a per-CPU array indexed by MS_VERDICT_COUNTER_INDEX: an array
 * lookup costs a nanosecond where a hash lookup costs twenty, on every packet. Interfaces
 * get a slot in ms_interface_slots when attached; slot 0 counts any other interface. */
enum ms_counter_limits {
	MS_VERDICT_COUNT           = 5,  /* enum ms_verdict values, 0 included */
	MS_REASON_COUNT            = 12, /* enum ms_reason values, 0 included */
	MS_MAX_INTERFACE_SLOTS     = 64,
	MS_MAX_IFINDEX             = 65536,
	MS_VERDICT_COUNTER_ENTRIES = MS_MAX_INTERFACE_SLOTS * 2 * MS_VERDICT_COUNT * MS_REASON_COUNT,
	/* Deny and would-deny events pass a token bucket chosen by hashing the remote address
	 * into this many buckets: per source, bounded in memory, and an array lookup rather than
	 * a hash one. Two sources that share a bucket share its rate. A power of two. */
	MS_RATE_LIMIT_BUCKETS      = 16384,
};
#define MS_VERDICT_COUNTER_INDEX(slot, direction, verdict, reason) \
	((((slot) * 2 + (direction)) * MS_VERDICT_COUNT + (verdict)) * MS_REASON_COUNT + (reason))
/* ms_interface_endpoints is an array indexed by MS_INTERFACE_ENDPOINT_INDEX: per attached
 * interface (its slot in ms_interface_slots) and per policy slot, the endpoint that judges a
 * local address no endpoint lists, so that such an address (IPv6 link-local, a secondary
 * address added later) is judged without the kernel ever listing an interface's addresses. */
enum ms_interface_endpoint_layout {
	MS_INTERFACE_ENDPOINT_ENTRIES = MS_MAX_INTERFACE_SLOTS * MS_SLOT_COUNT,
};
#define MS_INTERFACE_ENDPOINT_INDEX(interface_slot, slot) ((interface_slot) * MS_SLOT_COUNT + (slot))

/* Why an event was not delivered; index into ms_event_losses. A deny or would-deny event
 * that is not delivered is still counted in ms_event_summaries. */
enum ms_event_loss {
	MS_EVENT_LOSS_RATE_LIMITED = 0, /* the remote's token bucket was empty */
	MS_EVENT_LOSS_RING_FULL    = 1, /* bpf_ringbuf_reserve failed: user space is behind */
	MS_EVENT_LOSS_BUDGET       = 2, /* the CPU's share of the global deny event budget was spent */
};

/*
 * Denials without an event are counted in ms_event_summaries (a per-CPU hash keyed by
 * struct ms_event_summary_key) under the epoch ms_event_summary_control names; user space
 * flips the epoch, waits for running programs, then reads and deletes the retired epoch's
 * entries: exact counts, no entry written while it is read. A denial that finds the hash
 * full is counted in ms_event_summary_overflow instead, so none is ever lost.
 */
enum ms_event_summary_limits {
	MS_EVENT_SUMMARY_ENTRIES = 8192, /* entries of ms_event_summaries, both epochs */
	MS_EVENT_SUMMARY_EPOCHS  = 2,    /* the one written and the one being read */
	/* ms_event_summary_overflow: indexed by epoch * MS_VERDICT_COUNT + verdict */
	MS_EVENT_SUMMARY_OVERFLOW_ENTRIES = MS_EVENT_SUMMARY_EPOCHS * MS_VERDICT_COUNT,
};

enum ms_event_limits {
	MS_EVENT_LOSS_COUNT = 3, /* enum ms_event_loss values */
};

/* ms_endpoint_value.flags */
enum ms_endpoint_flags {
	MS_ENDPOINT_F_INGRESS_DEFAULT_ALLOW = 1 << 0, /* no rule matched on ingress: allow */
	MS_ENDPOINT_F_EGRESS_DEFAULT_ALLOW  = 1 << 1, /* no rule matched on egress: allow */
	MS_ENDPOINT_F_INGRESS_ANY_REMOTE    = 1 << 2, /* ingress keys with remote ANY exist */
	MS_ENDPOINT_F_EGRESS_ANY_REMOTE     = 1 << 3, /* egress keys with remote ANY exist */
	MS_ENDPOINT_F_INGRESS_ANY_PROTOCOL  = 1 << 4, /* ingress keys with protocol ANY exist */
	MS_ENDPOINT_F_EGRESS_ANY_PROTOCOL   = 1 << 5, /* egress keys with protocol ANY exist */
};

/* ms_policy_value.flags */
enum ms_policy_flags {
	MS_POLICY_F_EXACT_PORTS = 1 << 0, /* ms_policy_ports holds entries under this key */
	MS_POLICY_F_PORT_RANGES = 1 << 1, /* ms_policy_ranges holds an entry for this key */
	MS_POLICY_F_ANY_PORT    = 1 << 2, /* any_port_action applies to unmatched ports */
};

/* ms_slot_config.flags */
enum ms_slot_flags {
	MS_SLOT_F_REMOTE_PREFIXES = 1 << 0, /* ms_remote_prefixes has entries for the slot */
};

/* ---- Shared pieces ----------------------------------------------------------------- */

/* An IPv6 address, or an IPv4 address as ::ffff:a.b.c.d. Network byte order. */
struct ms_addr {
	__u8 bytes[16];
};

/* ---- Control: which slot is live ----------------------------------------------------- */

/* ms_control[0]. Writing active_slot flips every policy map at once for every packet. */
struct ms_control {
	__u32 active_slot; /* 0 or 1: the slot packets read */
	__u32 pad;
};

/* ms_slot_config[slot]: per-policy settings that must flip together with the policy. */
struct ms_slot_config {
	__u32 generation;         /* policy generation; conntrack entries admitted under an
	                           * older one are re-checked against this policy */
	__u32 default_identity;   /* identity of local addresses not in ms_local_endpoints, on
	                           * an interface ms_interface_endpoints gives no owner */
	__u8  default_mode;       /* enum ms_mode for those addresses */
	__u8  default_flags;      /* MS_ENDPOINT_F_* for those addresses */
	__u8  unattributed_mode;  /* enum ms_mode for packets whose addresses cannot be read
	                           * (truncated IP header): the strictest mode of any endpoint */
	__u8  flags;              /* MS_SLOT_F_* */
};

/* ---- Identities ---------------------------------------------------------------------- */

/* Key of ms_local_endpoints and ms_remote_hosts: an exact address in one slot. */
struct ms_address_key {
	struct ms_addr addr;
	__u32 slot;
};

/* Value of ms_remote_hosts and ms_remote_prefixes. */
struct ms_identity_value {
	__u32 identity;
};

/* Key of ms_remote_prefixes (LPM trie). prefixlen counts bits from slot onwards:
 * 8 (the slot) + 96 + n for an IPv4 /n, 8 + n for an IPv6 /n. */
struct ms_prefix_key {
	__u32 prefixlen;
	__u8  slot;
	struct ms_addr addr;
	__u8  pad[3];
};

/* Value of ms_local_endpoints, and of ms_interface_endpoints, where identity
 * MS_IDENTITY_ANY means no endpoint owns the interface and the slot's default applies. */
struct ms_endpoint_value {
	__u32 identity; /* the endpoint's identity */
	__u8  mode;     /* enum ms_mode */
	__u8  flags;    /* MS_ENDPOINT_F_* */
	__u16 pad;
};

/* Entries per CPU in ms_endpoint_memo and ms_remote_memo. Powers of two: a host has few
 * endpoints, and talks to more peers. */
enum ms_memo_limits {
	MS_ENDPOINT_MEMO_ENTRIES = 256,
	MS_REMOTE_MEMO_ENTRIES   = 1024,
};

/*
 * Value of ms_endpoint_memo (per-CPU array, indexed by a hash of the address): one
 * remembered ms_local_endpoints lookup, valid only while the live slot's generation is the
 * one it was read under. Every apply writes a generation greater than both slots' (so no two
 * slots share one), and a changed endpoint is never read stale. The programs fill it; user
 * space only clears it (when it sets generations back, in tests).
 */
struct ms_endpoint_memo {
	struct ms_addr addr;
	__u32 generation;               /* the slot config's; 0: empty */
	struct ms_endpoint_value value; /* when found */
	__u32 found;                    /* 0: addr is no endpoint, the slot default applies */
};

/* Value of ms_remote_memo (per-CPU array, indexed by a hash of the address): one remembered
 * remote identity (exact host, else longest prefix, else world), valid like ms_endpoint_memo
 * only under the generation it was read in. */
struct ms_remote_memo {
	struct ms_addr addr;
	__u32 generation; /* the slot config's; 0: empty */
	__u32 identity;
};

/* ---- Policy -------------------------------------------------------------------------- */

/*
 * Key of ms_policy, and the prefix of ms_policy_ports' key. The compiler folds every rule
 * that applies to (local, remote, direction, protocol) into the value found here, wildcard
 * rules included, so the first key the program finds decides alone. The program probes
 * (remote, protocol), then (ANY, protocol), (remote, ANY), (ANY, ANY); the endpoint's
 * flags say which wildcard keys exist so that absent ones cost nothing.
 */
struct ms_policy_key {
	__u32 local_identity;  /* the endpoint's identity */
	__u32 remote_identity; /* the peer's identity, or MS_IDENTITY_ANY */
	__u8  slot;
	__u8  direction;       /* enum ms_direction */
	__u8  protocol;        /* IANA protocol number, or MS_PROTOCOL_ANY */
	__u8  pad;
};

/* Value of ms_policy. Ports are judged exact first, then ranges, then any-port; a port that
 * none matches gets the endpoint's default for the direction. Deny-beats-allow is already
 * resolved by the compiler in every entry it writes. */
struct ms_policy_value {
	__u32 any_port_rule_id;  /* rule behind any_port_action */
	__u8  any_port_action;   /* enum ms_action, valid with MS_POLICY_F_ANY_PORT */
	__u8  flags;             /* MS_POLICY_F_* */
	__u16 exact_port_filter; /* bit (port % 16) set for each exact port under this key: a
	                          * clear bit proves the ms_policy_ports probe would miss */
	__u16 range_first_port;  /* lowest first_port of this key's ranges (host order) */
	__u16 range_last_port;   /* highest last_port: outside [first, last] no range matches */
};

/* Key of ms_policy_ports: one exact port (TCP/UDP destination port, ICMP type). */
struct ms_policy_port_key {
	struct ms_policy_key policy;
	__u16 port;            /* host byte order */
	__u16 pad;
};

/* Value of ms_policy_ports, and one port range. */
struct ms_rule_action {
	__u32 rule_id;         /* the deciding rule, for counters and events */
	__u8  action;          /* enum ms_action */
	__u8  pad[3];
};

struct ms_port_range {
	__u16 first_port;      /* host byte order, inclusive */
	__u16 last_port;       /* host byte order, inclusive */
	__u32 rule_id;
	__u8  action;          /* enum ms_action */
	__u8  pad[3];
};

/* Value of ms_policy_ranges (same key as ms_policy): sorted, non-overlapping ranges. */
struct ms_policy_ranges {
	__u32 count;           /* ranges in use, at most MS_MAX_PORT_RANGES */
	struct ms_port_range ranges[MS_MAX_PORT_RANGES];
};

/* ---- Conntrack ----------------------------------------------------------------------- */

/* Key of ms_conntrack: a flow as this host sees it. Both directions of a flow map to the
 * same key because it is written from the local side, not from source and destination. */
struct ms_conntrack_key {
	struct ms_addr local_addr;
	struct ms_addr remote_addr;
	__be16 local_port;     /* TCP/UDP port; ICMP echo identifier; else 0 */
	__be16 remote_port;    /* TCP/UDP port; else 0 */
	__u8   protocol;
	__u8   pad[3];
};

struct ms_conntrack_entry {
	__u64 last_seen;        /* the latest packet, in ticks of the clock ms_config.h chose */
	__u64 packets;          /* both directions */
	__u64 bytes;            /* both directions, L2 length */
	__u32 generation;       /* policy generation that last admitted the flow */
	__u32 rule_id;          /* rule that admitted it (0: default) */
	__u32 local_identity;   /* at admission, for flow-end events */
	__u32 remote_identity;
	__u32 ifindex;          /* interface of the first packet */
	__u16 policy_port;      /* port the policy judged: destination port, or ICMP type */
	__u8  origin_direction; /* enum ms_direction of the first packet */
	__u8  verdict;          /* MS_VERDICT_ALLOW; MS_VERDICT_WOULD_DENY in monitor mode;
				 * MS_VERDICT_DENY once a policy change revoked it (enforce): kept
				 * so that both directions stay dropped until it times out */
	__u8  tcp_flags_local;  /* TCP flags seen from the local side, ORed */
	__u8  tcp_flags_remote; /* TCP flags seen from the remote side, ORed */
	__u8  closed;           /* 1 once FIN both ways or RST: short timeout, end reported */
	__u8  origin;           /* enum ms_flow_origin */
	__u8  pad[4];
};

/* ---- Fragments ----------------------------------------------------------------------- */

/* Key of ms_fragments: one fragmented datagram. */
struct ms_fragment_key {
	struct ms_addr src;
	struct ms_addr dst;
	__u32 id;              /* IPv4 identification or IPv6 fragment id, network order */
	__u8  protocol;
	__u8  pad[3];
};

/* Value of ms_fragments: what the first fragment carried and how it was judged. */
struct ms_fragment_value {
	__u64 first_seen;      /* in ticks of the clock ms_config.h chose */
	__be16 src_port;
	__be16 dst_port;
	__u32 rule_id;
	__u8  verdict;         /* enum ms_verdict given to the first fragment */
	__u8  pad[7];
};

/* ---- Counters -------------------------------------------------------------------------- */

/* Value of ms_interface_slots (array indexed by ifindex). */
struct ms_interface_slot {
	__u32 slot;            /* 1..MS_MAX_INTERFACE_SLOTS-1; 0: not attached by us */
};

/* Value of ms_verdict_counters (indexed by MS_VERDICT_COUNTER_INDEX) and ms_rule_counters
 * (indexed by rule id). */
struct ms_traffic_counter {
	__u64 packets;
	__u64 bytes;
};

/* Value of ms_event_losses (per-CPU array indexed by enum ms_event_loss). */
struct ms_event_loss_counter {
	__u64 events;
};

/* Value of ms_event_rate_limit (array of MS_RATE_LIMIT_BUCKETS) and of ms_event_budget
 * (per-CPU array of one): a token bucket. */
struct ms_rate_limit_state {
	__u64 refilled;        /* when tokens were last topped up, in clock ticks */
	__u32 tokens;          /* events this remote (or CPU) may still send now */
	__u32 suppressed;      /* unused since denials without an event are summarised
	                        * (ms_event_summaries); kept so the layout stays */
};

/* ms_event_summary_control[0]: which epoch the programs count denials under. */
struct ms_event_summary_control {
	__u32 epoch;           /* 0 or 1 */
	__u32 pad;
};

/* Key of ms_event_summaries: the denials of one endpoint, direction, service and reason
 * in one epoch. No remote address: a spoofed-source flood adds no keys. The value is a
 * struct ms_traffic_counter (per CPU). */
struct ms_event_summary_key {
	struct ms_addr local_addr;
	__u32 local_identity;
	__u32 remote_identity;
	__u32 rule_id;          /* deciding rule; 0 for the endpoint default */
	__u16 policy_port;      /* destination port or ICMP type, host order */
	__u8  protocol;
	__u8  direction;        /* enum ms_direction */
	__u8  reason;           /* enum ms_reason */
	__u8  verdict;          /* MS_VERDICT_DENY or MS_VERDICT_WOULD_DENY */
	__u8  epoch;            /* ms_event_summary_control's when counted */
	__u8  pad;
};

/* ---- Events -------------------------------------------------------------------------- */

/* One record in ms_events (ring buffer). */
struct ms_flow_event {
	__u64 timestamp_ns;     /* bpf_ktime_get_coarse_ns: CLOCK_MONOTONIC_COARSE (±4 ms) */
	struct ms_addr local_addr;
	struct ms_addr remote_addr;
	__be16 local_port;
	__be16 remote_port;
	__u32 local_identity;
	__u32 remote_identity;
	__u32 rule_id;          /* deciding rule; 0 for the endpoint default */
	__u32 ifindex;
	__u32 policy_generation;
	__u32 suppressed;       /* 0: denials without an event are counted in ms_event_summaries */
	__u8  kind;             /* enum ms_event_kind */
	__u8  direction;        /* enum ms_direction of the flow's first packet */
	__u8  protocol;
	__u8  reason;           /* enum ms_reason */
	__u8  verdict;          /* enum ms_verdict */
	__u8  tcp_flags;        /* flags of the packet, or both sides' ORed for FLOW_END */
	__u16 policy_port;      /* port the policy judged (destination port or ICMP type) */
	__u32 pad;
	__u64 packets;          /* FLOW_END: the flow's packets; else 1 */
	__u64 bytes;            /* FLOW_END: the flow's bytes; else this packet's */
};

/* Sizes user space mirrors; a change here must be made there too (the ABI test checks). */
_Static_assert(sizeof(struct ms_addr) == 16, "ms_addr");
_Static_assert(sizeof(struct ms_control) == 8, "ms_control");
_Static_assert(sizeof(struct ms_slot_config) == 12, "ms_slot_config");
_Static_assert(sizeof(struct ms_address_key) == 20, "ms_address_key");
_Static_assert(sizeof(struct ms_identity_value) == 4, "ms_identity_value");
_Static_assert(sizeof(struct ms_prefix_key) == 24, "ms_prefix_key");
_Static_assert(sizeof(struct ms_endpoint_value) == 8, "ms_endpoint_value");
_Static_assert(sizeof(struct ms_policy_key) == 12, "ms_policy_key");
_Static_assert(sizeof(struct ms_policy_value) == 12, "ms_policy_value");
_Static_assert(sizeof(struct ms_policy_port_key) == 16, "ms_policy_port_key");
_Static_assert(sizeof(struct ms_rule_action) == 8, "ms_rule_action");
_Static_assert(sizeof(struct ms_port_range) == 12, "ms_port_range");
_Static_assert(sizeof(struct ms_policy_ranges) == 4 + 12 * MS_MAX_PORT_RANGES, "ms_policy_ranges");
_Static_assert(sizeof(struct ms_conntrack_key) == 40, "ms_conntrack_key");
_Static_assert(sizeof(struct ms_conntrack_entry) == 56, "ms_conntrack_entry");
_Static_assert(sizeof(struct ms_fragment_key) == 40, "ms_fragment_key");
_Static_assert(sizeof(struct ms_fragment_value) == 24, "ms_fragment_value");
_Static_assert(sizeof(struct ms_interface_slot) == 4, "ms_interface_slot");
_Static_assert(sizeof(struct ms_traffic_counter) == 16, "ms_traffic_counter");
_Static_assert(sizeof(struct ms_event_loss_counter) == 8, "ms_event_loss_counter");
_Static_assert(sizeof(struct ms_rate_limit_state) == 16, "ms_rate_limit_state");
_Static_assert(sizeof(struct ms_endpoint_memo) == 32, "ms_endpoint_memo");
_Static_assert(sizeof(struct ms_remote_memo) == 24, "ms_remote_memo");
_Static_assert(sizeof(struct ms_flow_event) == 96, "ms_flow_event");
_Static_assert(sizeof(struct ms_event_summary_control) == 8, "ms_event_summary_control");
_Static_assert(sizeof(struct ms_event_summary_key) == 36, "ms_event_summary_key");

#endif /* MICROSEG_ABI_H */
