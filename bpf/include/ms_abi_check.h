/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What lets user space check an object and pinned maps against the ABI it expects: every
 * enum of microseg_abi.h anchored in the object's BTF, and the map recording which ABI
 * version the pinned maps were made with. No program reads either.
 */
#ifndef MS_ABI_CHECK_H
#define MS_ABI_CHECK_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "microseg_abi.h"

/* Clang emits into BTF only the types something in the object uses, and no map or struct
 * uses these enums as such: a read-only global of each type puts it there (4 bytes of
 * .rodata apiece), so the ABI test compares each value with its C# mirror. Every enum of
 * microseg_abi.h needs a line here; the test names any that lacks one. */
#define MS_BTF_ENUM(name) const volatile enum name ms_btf_##name = (enum name)0

MS_BTF_ENUM(ms_abi);
MS_BTF_ENUM(ms_identity_reserved);
MS_BTF_ENUM(ms_policy_limits);
MS_BTF_ENUM(ms_direction);
MS_BTF_ENUM(ms_mode);
MS_BTF_ENUM(ms_flow_origin);
MS_BTF_ENUM(ms_action);
MS_BTF_ENUM(ms_verdict);
MS_BTF_ENUM(ms_reason);
MS_BTF_ENUM(ms_event_kind);
MS_BTF_ENUM(ms_counter_limits);
MS_BTF_ENUM(ms_interface_endpoint_layout);
MS_BTF_ENUM(ms_event_loss);
MS_BTF_ENUM(ms_event_limits);
MS_BTF_ENUM(ms_event_summary_limits);
MS_BTF_ENUM(ms_endpoint_flags);
MS_BTF_ENUM(ms_policy_flags);
MS_BTF_ENUM(ms_slot_flags);
MS_BTF_ENUM(ms_memo_limits);

/* ms_abi_version[0]: the MS_ABI_VERSION of the daemon that created the pinned maps, written
 * before they are pinned. Pins without it predate versioning and are never adopted. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} ms_abi_version SEC(".maps");

#endif /* MS_ABI_CHECK_H */
