package dev.weft.bench.xen;

import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The work {@link VchanBench} times, written once against {@link Flow} and run on every {@link
 * FlowPair}: a one-way transfer (send and drain) and 16-byte ping-pong against an echo. Every
 * method runs on the loop thread of the flow it is given.
 */
final class FlowLoad {
    /** Bytes of one ping-pong message: {@code {u64 sequence; u64 sequence * 31}}. */
    static final int MESSAGE = 16;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;

    private FlowLoad() {}

    /** Writes {@code chunk} until {@code total} bytes are written; the promise of that total. */
    static Promise<Long> send(Flow flow, long total, MemorySegment chunk) {
        return sendFrom(flow, total, chunk, 0);
    }

    private static Promise<Long> sendFrom(Flow flow, long total, MemorySegment chunk, long sent) {
        if (sent == total) {
            return Promise.of(sent);
        }
        long n = Math.min(chunk.byteSize(), total - sent);
        return flow.write(chunk.asSlice(0, n)).flatMap(v -> sendFrom(flow, total, chunk, sent + n));
    }

    /** Reads until {@code total} bytes came; the promise of the count (rejected at end of stream before it). */
    static Promise<Long> drain(Flow flow, long total) {
        return drainFrom(flow, total, 0);
    }

    private static Promise<Long> drainFrom(Flow flow, long total, long received) {
        if (received >= total) {
            return Promise.of(received);
        }
        return flow.read().flatMap(read -> switch (read) {
            case Flow.Data(MemorySegment bytes) -> drainFrom(flow, total, received + bytes.byteSize());
            case Flow.EndOfStream end -> Promise.rejected(new IllegalStateException(
                    "end of stream after " + received + " of " + total + " bytes"));
        });
    }

    /** Writes back whatever it reads until end of stream. */
    static Promise<Void> echo(Flow flow) {
        return flow.read().flatMap(read -> switch (read) {
            case Flow.Data(MemorySegment bytes) -> flow.write(bytes).flatMap(v -> echo(flow));
            case Flow.EndOfStream end -> Promise.unit();
        });
    }

    /** What a ping-pong run did. */
    record PingPongResult(long roundTrips, long nanos, long mismatches) {
        double perSecond() {
            return roundTrips * 1e9 / nanos;
        }
    }

    /** One message in flight against an echo until {@code nanos} have passed; every reply is checked. */
    static Promise<PingPongResult> pingPong(Flow flow, long nanos) {
        return new PingPong(flow, System.nanoTime() + nanos).next();
    }

    /** The state of one ping-pong run: the message out, the reply gathered so far. */
    private static final class PingPong {
        private final Flow flow;
        private final long deadline;
        private final long start = System.nanoTime();
        private final MemorySegment message = MemorySegment.ofArray(new long[2]);
        private final MemorySegment reply = MemorySegment.ofArray(new long[2]);
        private long sequence;
        private long mismatches;
        private int replied;

        PingPong(Flow flow, long deadline) {
            this.flow = flow;
            this.deadline = deadline;
        }

        Promise<PingPongResult> next() {
            long now = System.nanoTime();
            if (now >= deadline) {
                return Promise.of(new PingPongResult(sequence, now - start, mismatches));
            }
            message.set(U64, 0, sequence);
            message.set(U64, 8, sequence * 31);
            replied = 0;
            return flow.write(message).flatMap(v -> awaitReply());
        }

        private Promise<PingPongResult> awaitReply() {
            return flow.read().flatMap(read -> switch (read) {
                case Flow.Data(MemorySegment bytes) -> {
                    if (replied + bytes.byteSize() > MESSAGE) {
                        yield Promise.rejected(new IllegalStateException("the echo sent more than was asked"));
                    }
                    MemorySegment.copy(bytes, 0, reply, replied, bytes.byteSize());
                    replied += (int) bytes.byteSize();
                    if (replied < MESSAGE) {
                        yield awaitReply();
                    }
                    if (reply.mismatch(message) != -1) {
                        mismatches++;
                    }
                    sequence++;
                    yield next();
                }
                case Flow.EndOfStream end -> Promise.rejected(new IllegalStateException("the echo ended"));
            });
        }
    }
}
