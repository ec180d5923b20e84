package dev.weft.samples.http;

import java.time.Duration;
import java.util.Objects;

/**
 * The limits that keep one client from exhausting the server. Each timeout is a total for what
 * it bounds, not a fresh span per read: a client that trickles bytes gains nothing by it.
 *
 * @param maxHeadBytes largest request head (request line and fields, and any empty lines before
 *     it); beyond it, 431. Chunk extensions and trailer fields of one chunked body share a budget
 *     of the same size
 * @param maxBodyBytes largest request body; beyond it, 413
 * @param headerTimeout how long a request head may take to arrive, counted from when the server
 *     starts waiting for it: the first byte after an idle spell, or the moment the previous
 *     response was queued when the next head was already buffered (slowloris defence); also the
 *     longest wait for any one read of body bytes. Then 408 and close
 * @param bodyTimeout how long a whole request body may take to arrive, counted from the end of
 *     its head (with {@code maxBodyBytes}, a minimum average rate); then 408 and close
 * @param idleTimeout how long a keep-alive connection may wait for its next request; then close
 */
public record HttpLimits(int maxHeadBytes, long maxBodyBytes, Duration headerTimeout, Duration bodyTimeout,
        Duration idleTimeout) {

    /** The largest body the server can buffer: a request's body is one array. */
    public static final long MAX_BODY_BYTES = Integer.MAX_VALUE - 8;

    /**
     * Checks the limits, so that one a server cannot work with is refused here and not met per
     * connection later.
     *
     * @throws IllegalArgumentException naming the limit: a head limit below 1 byte, a body limit
     *     below 0 or above {@link #MAX_BODY_BYTES}, or a timeout that is not positive
     * @throws NullPointerException naming the timeout that is null
     */
    public HttpLimits {
        if (maxHeadBytes < 1) {
            throw new IllegalArgumentException("maxHeadBytes must be at least 1, was " + maxHeadBytes);
        }
        if (maxBodyBytes < 0 || maxBodyBytes > MAX_BODY_BYTES) {
            throw new IllegalArgumentException("maxBodyBytes must be 0 to " + MAX_BODY_BYTES
                    + " (a body is buffered in one array), was " + maxBodyBytes);
        }
        requirePositive(headerTimeout, "headerTimeout");
        requirePositive(bodyTimeout, "bodyTimeout");
        requirePositive(idleTimeout, "idleTimeout");
    }

    private static void requirePositive(Duration timeout, String name) {
        Objects.requireNonNull(timeout, name);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + timeout);
        }
    }

    /** 8 KiB heads, 1 MiB bodies, 10 s to send a head, 30 s to send a body, 60 s idle. */
    public static HttpLimits defaults() {
        return new HttpLimits(8192, 1 << 20, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60));
    }

    /**
     * Limits with the default body timeout, 30 s.
     *
     * @param maxHeadBytes largest request head
     * @param maxBodyBytes largest request body
     * @param headerTimeout the head's total time
     * @param idleTimeout the wait for a next request
     */
    public HttpLimits(int maxHeadBytes, long maxBodyBytes, Duration headerTimeout, Duration idleTimeout) {
        this(maxHeadBytes, maxBodyBytes, headerTimeout, Duration.ofSeconds(30), idleTimeout);
    }
}
