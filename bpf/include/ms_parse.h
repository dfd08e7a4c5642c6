/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Packet parsing shared by the XDP and TC programs. Every helper bounds-checks before it
 * reads and follows one contract: it returns the next protocol (or >= 0 on success) and -1
 * when the packet is too short or invalid, so callers can only go on with a checked header.
 */
#ifndef MS_PARSE_H
#define MS_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "microseg_abi.h"

#define MS_ETH_P_8021Q  0x8100
#define MS_ETH_P_8021AD 0x88A8
#define MS_MAX_VLAN_TAGS 2
/* IPv6 extension headers we walk before giving up on a packet as malformed: real traffic
 * carries one or two; a chain longer than this is an evasion attempt, not a workload. */
#define MS_MAX_IPV6_EXTENSIONS 6

/* ICMP and ICMPv6 types (RFC 792, RFC 4443). Not from linux/icmp.h: it includes linux/if.h,
 * which pulls glibc's sys/socket.h, and under -target bpf that wants gnu/stubs-32.h from a
 * 32-bit libc package a BPF build has no business needing. */
#define MS_ICMP_ECHOREPLY        0
#define MS_ICMP_DEST_UNREACH     3
#define MS_ICMP_SOURCE_QUENCH    4
#define MS_ICMP_ECHO             8
#define MS_ICMP_TIME_EXCEEDED    11
#define MS_ICMP_PARAMETERPROB    12
#define MS_ICMPV6_DEST_UNREACH   1
#define MS_ICMPV6_PKT_TOOBIG     2
#define MS_ICMPV6_TIME_EXCEED    3
#define MS_ICMPV6_PARAMPROB      4
#define MS_ICMPV6_ECHO_REQUEST   128
#define MS_ICMPV6_ECHO_REPLY     129

#define MS_IPPROTO_HOPOPTS  0
#define MS_IPPROTO_ROUTING  43
#define MS_IPPROTO_FRAGMENT 44
#define MS_IPPROTO_AH       51
#define MS_IPPROTO_NONE     59
#define MS_IPPROTO_DSTOPTS  60

enum ms_fragment_kind {
	MS_FRAGMENT_NONE  = 0, /* not fragmented */
	MS_FRAGMENT_FIRST = 1, /* offset 0, more fragments follow: carries the L4 header */
	MS_FRAGMENT_LATER = 2, /* offset > 0: no L4 header, follows the first fragment */
};

enum ms_parse_result {
	MS_PARSE_OK                     = 0,
	MS_PARSE_NOT_IP                 = 1, /* not IPv4/IPv6: not ours to judge */
	MS_PARSE_MALFORMED_UNATTRIBUTED = 2, /* broken before the addresses could be read */
	MS_PARSE_MALFORMED              = 3, /* addresses known; the rest invalid or truncated */
};

struct ms_cursor {
	void *pos;
	void *end;
};

/* What the programs need from a packet, in the packet's own source/destination terms. */
struct ms_packet {
	struct ms_addr src;
	struct ms_addr dst;
	__be16 src_port;      /* TCP/UDP source port; ICMP echo identifier */
	__be16 dst_port;      /* TCP/UDP destination port; ICMP echo identifier */
	__u32  fragment_id;   /* network order */
	__u8   protocol;      /* upper-layer protocol after extension headers */
	__u8   fragment;      /* enum ms_fragment_kind */
	__u8   tcp_flags;
	__u8   icmp_type;
	__u8   icmp_echo;     /* 1: ICMP echo request/reply, ports carry the identifier */
	__u8   icmp_error;    /* 1: an ICMP error type: judged, never a flow of its own */
	__u8   icmp_quote;    /* 1: the error's quote was readable; inner_* describe it */
	__u8   inner_protocol;
	__u8   addresses_known; /* 1 once src and dst are filled */
	__u8   pad[3];
	struct ms_addr inner_src;
	struct ms_addr inner_dst;
	__be16 inner_src_port;
	__be16 inner_dst_port;
};

static __always_inline void ms_addr_from_ipv4(struct ms_addr *out, __be32 v4)
{
	__u32 *words = (__u32 *)out->bytes;

	words[0] = 0;
	words[1] = 0;
	words[2] = bpf_htonl(0x0000ffff);
	words[3] = v4;
}

static __always_inline void ms_addr_from_ipv6(struct ms_addr *out, const struct in6_addr *v6)
{
	__builtin_memcpy(out->bytes, v6->in6_u.u6_addr8, 16);
}

/* Ethernet plus up to two VLAN tags (802.1Q, 802.1ad). Returns the EtherType, -1 if short. */
static __always_inline int ms_parse_ethernet(struct ms_cursor *c)
{
	struct ethhdr *eth = c->pos;
	__be16 proto;

	if ((void *)(eth + 1) > c->end)
		return -1;
	proto = eth->h_proto;
	c->pos = eth + 1;

#pragma unroll
	for (int i = 0; i < MS_MAX_VLAN_TAGS; i++) {
		__be16 *tag = c->pos;

		if (proto != bpf_htons(MS_ETH_P_8021Q) && proto != bpf_htons(MS_ETH_P_8021AD))
			break;
		/* A tag is TCI (2 bytes) then the encapsulated EtherType (2 bytes). */
		if ((void *)(tag + 2) > c->end)
			return -1;
		proto = tag[1];
		c->pos = tag + 2;
	}
	return bpf_ntohs(proto);
}

/* IPv4 with options. l3_len is the bytes from here to the packet's end (which can exceed
 * the linear data on TC). Returns the protocol, -1 if invalid or truncated. */
static __always_inline int ms_parse_ipv4(struct ms_cursor *c, __u32 l3_len, struct ms_packet *p)
{
	struct iphdr *ip = c->pos;
	__u32 header_len, total_len;
	__u16 frag;

	if ((void *)(ip + 1) > c->end)
		return -1;
	if (ip->version != 4)
		return -1;
	ms_addr_from_ipv4(&p->src, ip->saddr);
	ms_addr_from_ipv4(&p->dst, ip->daddr);
	p->addresses_known = 1;
	if (ip->ihl < 5)
		return -1;
	header_len = ip->ihl * 4;
	total_len = bpf_ntohs(ip->tot_len);
	if (total_len < header_len || total_len > l3_len)
		return -1;
	if (c->pos + header_len > c->end)
		return -1;
	p->protocol = ip->protocol;
	frag = bpf_ntohs(ip->frag_off);
	p->fragment_id = (__u32)ip->id;
	if (frag & 0x1fff)
		p->fragment = MS_FRAGMENT_LATER;
	else if (frag & 0x2000)
		p->fragment = MS_FRAGMENT_FIRST;
	c->pos += header_len;
	return ip->protocol;
}

/* IPv6 with extension headers. Returns the upper-layer protocol, -1 if invalid. */
static __always_inline int ms_parse_ipv6(struct ms_cursor *c, __u32 l3_len, struct ms_packet *p)
{
	struct ipv6hdr *ip6 = c->pos;
	__u8 next;

	if ((void *)(ip6 + 1) > c->end)
		return -1;
	if (ip6->version != 6)
		return -1;
	ms_addr_from_ipv6(&p->src, &ip6->saddr);
	ms_addr_from_ipv6(&p->dst, &ip6->daddr);
	p->addresses_known = 1;
	if (sizeof(*ip6) + bpf_ntohs(ip6->payload_len) > l3_len)
		return -1;
	next = ip6->nexthdr;
	c->pos = ip6 + 1;

#pragma unroll
	for (int i = 0; i < MS_MAX_IPV6_EXTENSIONS; i++) {
		__u8 *ext = c->pos;
		__u32 len;

		switch (next) {
		case MS_IPPROTO_HOPOPTS:
		case MS_IPPROTO_ROUTING:
		case MS_IPPROTO_DSTOPTS:
			if ((void *)(ext + 2) > c->end)
				return -1;
			len = ((__u32)ext[1] + 1) * 8;
			break;
		case MS_IPPROTO_AH:
			if ((void *)(ext + 2) > c->end)
				return -1;
			len = ((__u32)ext[1] + 2) * 4;
			break;
		case MS_IPPROTO_FRAGMENT: {
			struct frag_hdr {
				__u8 nexthdr;
				__u8 reserved;
				__be16 frag_off;
				__be32 identification;
			} *fh = c->pos;
			__u16 off;

			if ((void *)(fh + 1) > c->end)
				return -1;
			off = bpf_ntohs(fh->frag_off);
			p->fragment_id = fh->identification;
			if (off & 0xfff8)
				p->fragment = MS_FRAGMENT_LATER;
			else if (off & 1)
				p->fragment = MS_FRAGMENT_FIRST;
			len = sizeof(*fh);
			break;
		}
		default:
			p->protocol = next;
			return next;
		}
		if (c->pos + len > c->end)
			return -1;
		next = ext[0];
		c->pos += len;
		/* A later fragment carries no upper-layer header to walk into. */
		if (p->fragment == MS_FRAGMENT_LATER) {
			p->protocol = next;
			return next;
		}
	}
	/* Still an extension header after the limit: refuse rather than guess. */
	if (next == MS_IPPROTO_HOPOPTS || next == MS_IPPROTO_ROUTING || next == MS_IPPROTO_DSTOPTS ||
	    next == MS_IPPROTO_AH || next == MS_IPPROTO_FRAGMENT)
		return -1;
	p->protocol = next;
	return next;
}

static __always_inline int ms_is_icmp_error(__u8 protocol, __u8 type)
{
	if (protocol == IPPROTO_ICMP)
		return type == MS_ICMP_DEST_UNREACH || type == MS_ICMP_TIME_EXCEEDED ||
		       type == MS_ICMP_PARAMETERPROB || type == MS_ICMP_SOURCE_QUENCH;
	return type == MS_ICMPV6_DEST_UNREACH || type == MS_ICMPV6_PKT_TOOBIG ||
	       type == MS_ICMPV6_TIME_EXCEED || type == MS_ICMPV6_PARAMPROB;
}

/* The header an ICMP error quotes: IP header plus the first 8 bytes of its payload, which
 * hold the ports. Fills inner_* and icmp_quote; returns 0, or -1 when the quote is too short
 * to use. */
static __always_inline int ms_parse_icmp_quote(struct ms_cursor *c, __u8 outer_protocol,
					       struct ms_packet *p)
{
	__be16 *ports;

	if (outer_protocol == IPPROTO_ICMP) {
		struct iphdr *ip = c->pos;

		if ((void *)(ip + 1) > c->end || ip->version != 4 || ip->ihl < 5)
			return -1;
		ms_addr_from_ipv4(&p->inner_src, ip->saddr);
		ms_addr_from_ipv4(&p->inner_dst, ip->daddr);
		p->inner_protocol = ip->protocol;
		ports = c->pos + ip->ihl * 4;
	} else {
		struct ipv6hdr *ip6 = c->pos;

		if ((void *)(ip6 + 1) > c->end || ip6->version != 6)
			return -1;
		ms_addr_from_ipv6(&p->inner_src, &ip6->saddr);
		ms_addr_from_ipv6(&p->inner_dst, &ip6->daddr);
		p->inner_protocol = ip6->nexthdr;
		ports = (void *)(ip6 + 1);
	}
	if ((void *)(ports + 2) > c->end)
		return -1;
	if (p->inner_protocol == IPPROTO_ICMP || p->inner_protocol == IPPROTO_ICMPV6) {
		/* Quoted echo: the identifier is at offset 4, stored as both ports. */
		if ((void *)(ports + 3) > c->end)
			return -1;
		p->inner_src_port = ports[2];
		p->inner_dst_port = ports[2];
	} else {
		p->inner_src_port = ports[0];
		p->inner_dst_port = ports[1];
	}
	p->icmp_quote = 1;
	return 0;
}

/* TCP, UDP, ICMP, ICMPv6; other protocols carry no ports. Returns 0, or -1 if truncated. */
static __always_inline int ms_parse_transport(struct ms_cursor *c, struct ms_packet *p)
{
	switch (p->protocol) {
	case IPPROTO_TCP: {
		struct tcphdr *tcp = c->pos;

		if ((void *)(tcp + 1) > c->end || tcp->doff < 5)
			return -1;
		p->src_port = tcp->source;
		p->dst_port = tcp->dest;
		p->tcp_flags = ((__u8 *)tcp)[13];
		return 0;
	}
	case IPPROTO_UDP: {
		struct udphdr *udp = c->pos;

		if ((void *)(udp + 1) > c->end || bpf_ntohs(udp->len) < sizeof(*udp))
			return -1;
		p->src_port = udp->source;
		p->dst_port = udp->dest;
		return 0;
	}
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: {
		/* type, code, checksum, then identifier and sequence for echo. */
		__u8 *icmp = c->pos;
		__u8 type;

		if ((void *)(icmp + 8) > c->end)
			return -1;
		type = icmp[0];
		p->icmp_type = type;
		if ((p->protocol == IPPROTO_ICMP && (type == MS_ICMP_ECHO || type == MS_ICMP_ECHOREPLY)) ||
		    (p->protocol == IPPROTO_ICMPV6 &&
		     (type == MS_ICMPV6_ECHO_REQUEST || type == MS_ICMPV6_ECHO_REPLY))) {
			p->icmp_echo = 1;
			p->src_port = *(__be16 *)(icmp + 4);
			p->dst_port = p->src_port;
		} else if (ms_is_icmp_error(p->protocol, type)) {
			/* An error is an error whatever its quote; an unusable quote only means it
			 * cannot be related to a flow. */
			p->icmp_error = 1;
			c->pos = icmp + 8;
			ms_parse_icmp_quote(c, p->protocol, p);
		}
		return 0;
	}
	default:
		return 0;
	}
}

/* The whole packet: fills p and returns an enum ms_parse_result. */
static __always_inline int ms_parse_packet(void *data, void *data_end, __u32 packet_len,
					   struct ms_packet *p)
{
	struct ms_cursor c = { .pos = data, .end = data_end };
	int ethertype, protocol;
	__u32 l3_len;

	ethertype = ms_parse_ethernet(&c);
	if (ethertype < 0)
		return MS_PARSE_MALFORMED_UNATTRIBUTED;
	l3_len = packet_len - (__u32)(c.pos - data);
	if (ethertype == ETH_P_IP)
		protocol = ms_parse_ipv4(&c, l3_len, p);
	else if (ethertype == ETH_P_IPV6)
		protocol = ms_parse_ipv6(&c, l3_len, p);
	else
		return MS_PARSE_NOT_IP;
	if (protocol < 0)
		return p->addresses_known ? MS_PARSE_MALFORMED : MS_PARSE_MALFORMED_UNATTRIBUTED;
	if (p->fragment == MS_FRAGMENT_LATER)
		return MS_PARSE_OK;
	/* A first fragment too short for its L4 header is the tiny-fragment evasion (RFC 1858). */
	if (ms_parse_transport(&c, p) < 0)
		return MS_PARSE_MALFORMED;
	return MS_PARSE_OK;
}

#endif /* MS_PARSE_H */
