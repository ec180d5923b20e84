package dev.weft.xen.store;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.xen.sim.SimXenStore;
import java.util.ArrayList;
import java.util.List;

/** One loop running the model daemon and its clients, for tests that need no second thread. */
final class StoreFixture implements AutoCloseable {
    final Loop loop = Loop.create();
    final SimXenStore daemon = new SimXenStore();
    private final List<XenStore> clients = new ArrayList<>();

    /** A client for domain {@code domid} with no home path. */
    XenStore client(int domid) {
        return client(domid, XenStore.Config.DEFAULT);
    }

    XenStore client(int domid, XenStore.Config config) {
        XenStore client = XenStore.over(daemon.connect(loop, loop, domid), loop, config);
        clients.add(client);
        return client;
    }

    <T> T run(Promise<T> promise) {
        return loop.run(promise);
    }

    /** The failure {@code promise} rejects with (fails the test if it is fulfilled). */
    Throwable failure(Promise<?> promise) {
        try {
            Object value = loop.run(promise);
            throw new AssertionError("expected a failure, got " + value);
        } catch (RuntimeException e) {
            return e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        }
    }

    /** The errno a promise fails with. */
    XsError error(Promise<?> promise) {
        Throwable failure = failure(promise);
        if (failure instanceof XenStoreException e) {
            return e.error();
        }
        throw new AssertionError("expected a XenStoreException, got " + failure, failure);
    }

    /** The next {@code n} events of {@code watch}. */
    List<WatchEvent> next(Watch watch, int n) {
        List<WatchEvent> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(run(watch.events().next()));
        }
        return events;
    }

    /**
     * The events {@code watch} has received so far: a round trip on {@code client} first, so every
     * event the daemon sent before answering it has arrived (one connection is FIFO).
     */
    List<WatchEvent> received(XenStore client, Watch watch) {
        run(client.getDomainPath(0));
        return watch.events().getAvailable();
    }

    /**
     * Closes every client, lets the daemon see them go, and closes the loop.
     *
     * @throws AssertionError if the daemon still serves a connection (a leak)
     */
    @Override
    public void close() {
        for (XenStore client : clients) {
            run(client.close());
        }
        for (int i = 0; i < 10 && daemon.connections() > 0; i++) {
            run(Promise.pause());
        }
        int left = daemon.connections();
        // The daemon's end, closing, tells each client end: let those deliveries run too.
        for (int i = 0; i < 3; i++) {
            run(Promise.pause());
        }
        loop.close();
        if (left != 0) {
            throw new AssertionError(left + " connections still served after every client closed");
        }
    }
}
