package dev.weft.samples.http;

import java.time.Duration;

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
