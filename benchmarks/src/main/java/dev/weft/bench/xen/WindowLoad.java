package dev.weft.bench.xen;

import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;

/**
 * Keeps {@code window} requests in flight on a {@link RoundTrips} until a deadline, then lets the
 * last ones land. Every request carries {@link System#nanoTime()}; a response that is not that
 * value plus one counts as a mismatch, so a benchmark that computes the wrong thing is seen.
 *
 * <p>Client loop thread only.
 */
final class WindowLoad {
    /** What one run did. */
    record Result(long roundTrips, long nanos, long mismatches) {
        double perSecond() {
            return roundTrips * 1e9 / nanos;
        }
    }

    private final RoundTrips transport;
    private final int window;
    private final long deadline;
    private final long start = System.nanoTime();
    private final Resolver<Result> done = Promise.pending();
    private long answered;
    private long mismatches;
    private int inFlight;

    private WindowLoad(RoundTrips transport, int window, long nanos) {
        this.transport = transport;
        this.window = window;
        this.deadline = start + nanos;
    }

    /** Starts a run of {@code nanos}; the promise of its result. Client loop thread. */
    static Promise<Result> run(RoundTrips transport, int window, long nanos) {
        WindowLoad load = new WindowLoad(transport, window, nanos);
        for (int i = 0; i < window; i++) {
            load.send();
        }
        return load.done.promise();
    }

    private void send() {
        long sent = System.nanoTime();
        inFlight++;
        transport.request(sent).onAny(response -> {
            inFlight--;
            answered++;
            if (response != sent + 1) {
                mismatches++;
            }
            if (System.nanoTime() < deadline) {
                send();
            } else if (inFlight == 0) {
                done.resolve(new Result(answered, System.nanoTime() - start, mismatches));
            }
        }, failure -> {
            if (done.promise().isPending()) {
                done.reject(failure);
            }
        });
    }

    @Override
    public String toString() {
        return "WindowLoad[window=" + window + ", answered=" + answered + "]";
    }
}
