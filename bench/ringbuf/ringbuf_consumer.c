// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The reference consumer for the ring buffer benchmark: libbpf's own ring_buffer__consume
 * on a pinned ring, doing per record what Microseg's C# reader does (read the record as a
 * struct ms_flow_event and fold a field into a checksum), timed without its setup.
 *
 * usage: ringbuf_consumer PINNED_RING_PATH
 * prints: RECORDS NANOSECONDS CHECKSUM
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "microseg_abi.h"

struct tally {
	unsigned long long records;
	unsigned long long checksum;
};

static int on_record(void *ctx, void *data, size_t size)
{
	struct tally *t = ctx;
	const struct ms_flow_event *e = data;

	if (size < sizeof(*e))
		return -1;
	t->records++;
	t->checksum += e->timestamp_ns + e->bytes;
	return 0;
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct tally tally = { 0 };
	struct ring_buffer *ring;
	unsigned long long start, end;
	int fd, n;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PINNED_RING_PATH\n", argv[0]);
		return 2;
	}
	fd = bpf_obj_get(argv[1]);
	if (fd < 0) {
		fprintf(stderr, "ringbuf_consumer: cannot open the pinned ring %s\n", argv[1]);
		return 2;
	}
	ring = ring_buffer__new(fd, on_record, &tally, NULL);
	if (!ring) {
		fprintf(stderr, "ringbuf_consumer: ring_buffer__new failed\n");
		return 2;
	}
	start = now_ns();
	do {
		n = ring_buffer__consume(ring);
	} while (n > 0);
	end = now_ns();
	if (n < 0) {
		fprintf(stderr, "ringbuf_consumer: ring_buffer__consume failed (%d)\n", n);
		return 1;
	}
	printf("%llu %llu %llu\n", tally.records, end - start, tally.checksum);
	ring_buffer__free(ring);
	return 0;
}
