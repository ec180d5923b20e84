package dev.weft.samples.http;

import java.time.Duration;

/**
 * The limits that keep one client from exhausting the server.
 *
 * @param maxHeadBytes largest request head (request line and fields); beyond it, 431
 * @param maxBodyBytes largest request body; beyond it, 413
 * @param headerTimeout how long a request head may take to arrive once it started (slowloris
 *     defence; also bounds each wait for body bytes); then 408 and close
 * @param idleTimeout how long a keep-alive connection may wait for its next request; then close
 */
public record HttpLimits(int maxHeadBytes, long maxBodyBytes, Duration headerTimeout, Duration idleTimeout) {

    /** 8 KiB heads, 1 MiB bodies, 10 s to send a head, 60 s idle. */
    public static HttpLimits defaults() {
        return new HttpLimits(8192, 1 << 20, Duration.ofSeconds(10), Duration.ofSeconds(60));
    }
}
