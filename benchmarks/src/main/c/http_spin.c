/*
 * The C reference HTTP server (../shared/reference-c/http_epoll.c, compiled in unchanged) with
 * SPIN_NS nanoseconds of busy work (environment variable; 0 or unset: none) before each response
 * write: a C server that spends as much user-space time per request as a JVM server does, to
 * measure what that time alone does to wrk's latency distribution (docs/performance.md, "Plain
 * HTTP's p99"). Without pipelining every write answers one request.
 *
 * build: cc -O2 -I<reference-c> -o http_spin http_spin.c      usage: SPIN_NS=800 http_spin PORT
 */
#define _GNU_SOURCE /* before any system header, as the reference's common.h has it */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long spin_ns = -1;

static ssize_t spin_then_write(int fd, const void *buf, size_t count) {
    if (spin_ns < 0) {
        const char *s = getenv("SPIN_NS");
        spin_ns = s ? atol(s) : 0;
    }
    if (spin_ns > 0) {
        struct timespec start, now;
        clock_gettime(CLOCK_MONOTONIC, &start);
        do {
            clock_gettime(CLOCK_MONOTONIC, &now);
        } while ((now.tv_sec - start.tv_sec) * 1000000000L + (now.tv_nsec - start.tv_nsec) < spin_ns);
    }
    return write(fd, buf, count);
}

/* Every write(2) of the reference below becomes spin_then_write (unistd.h is already included). */
#define write spin_then_write
#include "http_epoll.c"
