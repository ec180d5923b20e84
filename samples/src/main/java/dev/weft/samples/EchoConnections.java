package dev.weft.samples;

import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The echo connections open on one loop, so that a graceful shutdown can drain them: each
 * connection does what {@link EchoServer#echo} does, except that once draining it reads no more.
 * What it has read is written back in full, then it is closed; a connection waiting for bytes is
 * closed at once (its reading is cancelled: nothing was in flight).
 *
 * <p>A connection reads in callback mode ({@link Flow#readChunks}): each chunk is written back
 * and, when the kernel took it at once, the next is asked for; a write that has to wait holds
 * the reading (and the chunk's loan) until it is done. So an echo round trip the kernel keeps up
 * with allocates nothing: no promise per read, none per write.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b>, the loop the flows belong to.
 */
final class EchoConnections {
    private final Set<Connection> open = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean draining;

    /** Echoes {@code flow} until the peer ends its side or the drain closes it; resolved once closed. */
    Promise<Void> serve(Flow flow) {
        Connection connection = new Connection(flow);
        open.add(connection);
        connection.done = connection.echo()
                .recover(failure -> flow.close())
                .andFinally(() -> {
                    open.remove(connection);
                    return Promise.unit();
                });
        return connection.done;
    }

    /**
     * Stops every connection after the echo it is writing, closing idle ones now; resolved once
     * all are closed. Connections served after this are closed at once.
     */
    Promise<Void> drain() {
        draining = true;
        List<Promise<Void>> closing = new ArrayList<>();
        for (Connection connection : List.copyOf(open)) {
            connection.stopReading();
            closing.add(connection.done);
        }
        return Promise.join(closing);
    }

    /** Whether {@link #drain} was called. */
    boolean draining() {
        return draining;
    }

    /** How many connections are open. */
    int size() {
        return open.size();
    }

    /**
     * One echo connection. It is its own chunk handler, not a method reference to one: the flow
     * calls the handler once per chunk, and with 64 connections each object of a connection is
     * cold in the cache by its next chunk (the kernel's send and receive of the other connections
     * run in between), so one object fewer on the way from a ready socket to its echo is one
     * cache miss fewer per round trip.
     */
    private final class Connection implements Flow.ChunkHandler {
        private final Flow flow;
        private final Function<Void, Boolean> afterWrite = written -> readOn();
        private Promise<Void> reading;
        /** A chunk is being written back: the reading is paused on its write, with bytes in flight. */
        private boolean writing;
        private Promise<Void> done;

        Connection(Flow flow) {
            this.flow = flow;
        }

        private Promise<Void> echo() {
            if (draining) {
                return flow.close();
            }
            reading = flow.readChunks(this);
            return reading.flatMap(v -> flow.close());
        }

        /** Writes the chunk back; reads on once the kernel has it, unless a drain began meanwhile. */
        @Override
        public Promise<Boolean> onChunk(MemorySegment bytes) {
            Promise<Void> written = flow.write(bytes);
            if (written.isFulfilled()) {
                return draining ? Flow.ChunkHandler.STOP : Flow.ChunkHandler.READ_ON; // not writing: nothing to reset
            }
            writing = true;
            return written.map(afterWrite);
        }

        private boolean readOn() {
            writing = false;
            return !draining;
        }

        /** A reading waiting for bytes has nothing in flight: cancel it, which closes the flow. */
        void stopReading() {
            if (reading != null && !writing) {
                reading.cancel();
            }
        }
    }
}
