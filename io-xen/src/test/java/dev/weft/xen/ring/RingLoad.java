package dev.weft.xen.ring;

import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;

/**
 * A test load for a {@link RingClient} of {@link LongCodec}: keeps requests in flight (as many as
 * {@link #start} was asked for) until {@code total} were answered, and counts the responses that
 * were not their request plus one. Loop thread only.
 */
final class RingLoad {
    private final RingClient<Long, Long> client;
    private final long total;
    private final Resolver<Long> done = Promise.pending();
    private long sent;
    private long answered;
    private long mismatches;

    RingLoad(RingClient<Long, Long> client, long total) {
        this.client = client;
        this.total = total;
    }

    /** Sends {@code window} requests, each answer sending the next; fulfilled with the mismatch count. */
    Promise<Long> start(int window) {
        for (int i = 0; i < window; i++) {
            send();
        }
        return done.promise();
    }

    private void send() {
        long value = sent++;
        client.request(value).onAny(response -> {
            answered++;
            if (response != value + 1) {
                mismatches++;
            }
            if (sent < total) {
                send();
            } else if (answered == total) {
                done.resolve(mismatches);
            }
        }, done::reject);
    }
}
