/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Small operations on 16-byte addresses (IPv4 as IPv4-mapped IPv6) that several lookups share. */
#ifndef MS_ADDRESS_H
#define MS_ADDRESS_H

#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include "microseg_abi.h"

/* The address folded to 32 bits, then Fibonacci hashing: its high bits spread neighbouring
 * addresses. Callers keep the top bits they need. */
static __always_inline __u32 ms_address_hash(const struct ms_addr *addr)
{
	const __u32 *w = (const __u32 *)addr->bytes;

	return (w[0] ^ w[1] ^ w[2] ^ w[3]) * 2654435761u;
}

static __always_inline int ms_address_equal(const struct ms_addr *a, const struct ms_addr *b)
{
	const __u32 *x = (const __u32 *)a->bytes, *y = (const __u32 *)b->bytes;

	return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3])) == 0;
}

#endif /* MS_ADDRESS_H */
