/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Which policy slot is live, and who a packet's two ends are: the local endpoint (exact
 * address) and the remote identity (exact host address first, then the longest prefix).
 * Every map is keyed by slot, so one write to ms_control flips all of them together.
 */
#ifndef MS_IDENTITY_H
#define MS_IDENTITY_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "microseg_abi.h"
#include "ms_address.h"
#include "ms_counters.h"

#ifndef MS_MAX_ENDPOINTS
#define MS_MAX_ENDPOINTS (2 * 4096)
#endif
#ifndef MS_MAX_REMOTE_HOSTS
#define MS_MAX_REMOTE_HOSTS (2 * 65536)
#endif
#ifndef MS_MAX_REMOTE_PREFIXES
#define MS_MAX_REMOTE_PREFIXES (2 * 16384)
#endif

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ms_control);
} ms_control SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MS_SLOT_COUNT);
	__type(key, __u32);
	__type(value, struct ms_slot_config);
} ms_slot_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MS_MAX_ENDPOINTS);
	__type(key, struct ms_address_key);
	__type(value, struct ms_endpoint_value);
} ms_local_endpoints SEC(".maps");

/* Written by the slot writer with the rest of a slot: see MS_INTERFACE_ENDPOINT_INDEX. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MS_INTERFACE_ENDPOINT_ENTRIES);
	__type(key, __u32);
	__type(value, struct ms_endpoint_value);
} ms_interface_endpoints SEC(".maps");

/* Host addresses in an exact-match hash: O(1) however many there are. Only prefixes go to
 * the trie, whose cost grows with its size, and only when the slot has any. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MS_MAX_REMOTE_HOSTS);
	__type(key, struct ms_address_key);
	__type(value, struct ms_identity_value);
} ms_remote_hosts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, MS_MAX_REMOTE_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ms_prefix_key);
	__type(value, struct ms_identity_value);
} ms_remote_prefixes SEC(".maps");

/*
 * Never read by the programs: user space writes ms_rcu_barrier_token's fd into
 * ms_rcu_barrier[0], and the kernel answers an update of a map-of-maps only after every
 * program running at that moment has finished (synchronize_rcu). After a flip, that is how
 * user space knows no packet still reads the old slot before it rewrites that slot.
 */
struct ms_rcu_barrier_inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
};

struct ms_rcu_barrier_inner ms_rcu_barrier_token SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct ms_rcu_barrier_inner);
} ms_rcu_barrier SEC(".maps");

/* The live slot and its settings; NULL only if the maps are broken, and then the caller
 * passes traffic rather than guess a policy. */
static __always_inline struct ms_slot_config *ms_active_slot(__u32 *slot)
{
	__u32 zero = 0;
	struct ms_control *control = bpf_map_lookup_elem(&ms_control, &zero);

	if (!control)
		return NULL;
	*slot = control->active_slot & 1;
	return bpf_map_lookup_elem(&ms_slot_config, slot);
}

/*
 * A per-CPU memo in front of ms_local_endpoints: a hash lookup costs ~30 ns, as much as the
 * rest of a denied packet's judging, and the few addresses a host's endpoints have are looked
 * up again and again. Per CPU, so an entry is never read half-written; checked against the
 * live slot's generation, so an apply invalidates it without user space touching it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MS_ENDPOINT_MEMO_ENTRIES);
	__type(key, __u32);
	__type(value, struct ms_endpoint_memo);
} ms_endpoint_memo SEC(".maps");

/* ms_local_endpoints' entry for addr, copied into *out; 0 when addr is no endpoint. */
static __always_inline int ms_find_endpoint(__u32 slot, const struct ms_addr *addr,
					    struct ms_endpoint_value *out)
{
	struct ms_address_key key = { .addr = *addr, .slot = slot };
	const struct ms_endpoint_value *ep = bpf_map_lookup_elem(&ms_local_endpoints, &key);

	if (!ep)
		return 0;
	*out = *ep;
	return 1;
}

/* The endpoint owning the attached interface ifindex in slot, copied into *out; 0 when
 * the interface has none (or is not ours). Two array lookups, whatever the interface's
 * addresses: an address added to it later is covered the moment it exists. */
static __always_inline int ms_find_interface_endpoint(__u32 slot, __u32 ifindex,
						      struct ms_endpoint_value *out)
{
	struct ms_interface_slot *interface = bpf_map_lookup_elem(&ms_interface_slots, &ifindex);
	const struct ms_endpoint_value *owner;
	__u32 index;

	if (!interface || !interface->slot || interface->slot >= MS_MAX_INTERFACE_SLOTS)
		return 0;
	index = MS_INTERFACE_ENDPOINT_INDEX(interface->slot, slot & 1);
	owner = bpf_map_lookup_elem(&ms_interface_endpoints, &index);
	if (!owner || owner->identity == MS_IDENTITY_ANY)
		return 0;
	*out = *owner;
	return 1;
}

/* The local endpoint for addr; else the endpoint owning the interface ifindex the packet came
 * in or goes out on; else the slot's default endpoint; copied into *out (returned): a copy,
 * not a pointer into one of four places, keeps the verifier's null tracking simple. out must
 * come initialized: when addr is no endpoint, the memo stores it as it is. The memo remembers
 * only the address lookup, so the interface's owner is never taken from another interface. */
static __always_inline const struct ms_endpoint_value *
ms_lookup_endpoint(__u32 slot, const struct ms_addr *addr, __u32 ifindex,
		   const struct ms_slot_config *config, struct ms_endpoint_value *out)
{
	__u32 index = ms_address_hash(addr) >> (32 - 8);
	struct ms_endpoint_memo *memo = bpf_map_lookup_elem(&ms_endpoint_memo, &index);
	__u32 generation = config->generation;
	int found;

	_Static_assert(MS_ENDPOINT_MEMO_ENTRIES == 1 << 8, "the memo index keeps 8 bits");
	if (memo && generation && memo->generation == generation &&
	    ms_address_equal(&memo->addr, addr)) {
		found = memo->found;
		if (found)
			*out = memo->value;
	} else {
		found = ms_find_endpoint(slot, addr, out);
		/* Generation 0 is a slot never applied: not worth remembering. */
		if (memo && generation) {
			memo->addr = *addr;
			memo->generation = generation;
			memo->found = found;
			memo->value = *out;
		}
	}
	if (found || ms_find_interface_endpoint(slot, ifindex, out))
		return out;
	out->identity = config->default_identity;
	out->mode = config->default_mode;
	out->flags = config->default_flags;
	out->pad = 0;
	return out;
}

/*
 * The same kind of memo in front of the remote identity: its exact-host hash lookup (and the
 * trie behind it) costs as much as the endpoint's, and a host's peers recur too (the same
 * services called over new connections, a scan or a flood from one source). A peer never
 * seen before costs the lookup plus ~3 ns.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MS_REMOTE_MEMO_ENTRIES);
	__type(key, __u32);
	__type(value, struct ms_remote_memo);
} ms_remote_memo SEC(".maps");

static __always_inline __u32 ms_lookup_remote_identity_uncached(__u32 slot, const struct ms_addr *addr,
								const struct ms_slot_config *config)
{
	struct ms_address_key key = { .addr = *addr, .slot = slot };
	struct ms_identity_value *id = bpf_map_lookup_elem(&ms_remote_hosts, &key);

	if (id)
		return id->identity;
	if (config->flags & MS_SLOT_F_REMOTE_PREFIXES) {
		struct ms_prefix_key pkey = {
			.prefixlen = 8 + 128,
			.slot = (__u8)slot,
			.addr = *addr,
		};

		id = bpf_map_lookup_elem(&ms_remote_prefixes, &pkey);
		if (id)
			return id->identity;
	}
	return MS_IDENTITY_WORLD;
}

static __always_inline __u32 ms_lookup_remote_identity(__u32 slot, const struct ms_addr *addr,
						       const struct ms_slot_config *config)
{
	__u32 index = ms_address_hash(addr) >> (32 - 10);
	struct ms_remote_memo *memo = bpf_map_lookup_elem(&ms_remote_memo, &index);
	__u32 generation = config->generation;
	__u32 identity;

	_Static_assert(MS_REMOTE_MEMO_ENTRIES == 1 << 10, "the memo index keeps 10 bits");
	if (memo && generation && memo->generation == generation && ms_address_equal(&memo->addr, addr))
		return memo->identity;
	identity = ms_lookup_remote_identity_uncached(slot, addr, config);
	if (memo && generation) {
		memo->addr = *addr;
		memo->generation = generation;
		memo->identity = identity;
	}
	return identity;
}

#endif /* MS_IDENTITY_H */
