package dev.weft.xen.bus;

import dev.weft.loop.Loop;
import dev.weft.loop.device.Time;
import dev.weft.promise.Promise;
import dev.weft.xen.sim.SimXenStore;
import dev.weft.xen.store.XenStore;
import java.util.ArrayList;
import java.util.List;

/**
 * The model's xenstore daemon and its clients, all on one loop run from the test's thread, for
 * tests that play the other end by writing nodes themselves. {@link #close()} closes every client,
 * lets the daemon finish serving them, then closes the loop.
 */
final class StoreOnOneLoop implements AutoCloseable {
    /** The loop everything runs on ({@code loop.run} from the test's thread). */
    final Loop loop = Loop.create();
    /** The daemon. */
    final SimXenStore daemon = new SimXenStore();
    private final List<XenStore> clients = new ArrayList<>();
    /** Domain 0's client: the toolstack. */
    final XenStore toolstack = connect(0);

    /** A client connected as {@code domid}. */
    XenStore connect(int domid) {
        return connect(domid, loop);
    }

    /** A client connected as {@code domid} that times its waits with {@code time}. */
    XenStore connect(int domid, Time time) {
        XenStore client = XenStore.over(daemon.connect(loop, loop, domid), time);
        clients.add(client);
        return client;
    }

    @Override
    public void close() {
        for (XenStore client : clients.reversed()) {
            loop.run(client.close());
        }
        loop.run(daemon.idle());
        loop.run(Promise.pause());
        loop.close();
    }
}
