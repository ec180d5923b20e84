package dev.weft.samples;

import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The echo connections open on one loop, so that a graceful shutdown can drain them: each
 * connection is {@link EchoServer#echo}'s chain, except that once draining it reads no more. What
 * it has read is written back in full, then it is closed; a connection waiting for bytes is
 * closed at once (its read is cancelled: nothing was in flight).
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

    private final class Connection {
        private final Flow flow;
        private Promise<Flow.Read> pendingRead;
        private Promise<Void> done;

        Connection(Flow flow) {
            this.flow = flow;
        }

        private Promise<Void> echo() {
            if (draining) {
                return flow.close();
            }
            pendingRead = flow.read();
            return pendingRead.flatMap(read -> {
                pendingRead = null;
                return switch (read) {
                    case Flow.Data(var bytes) -> flow.write(bytes).flatMap(v -> echo());
                    case Flow.EndOfStream end -> flow.close();
                };
            });
        }

        /** A read waiting for bytes has nothing in flight: cancel it, which closes the flow. */
        void stopReading() {
            if (pendingRead != null) {
                pendingRead.cancel();
            }
        }
    }
}
