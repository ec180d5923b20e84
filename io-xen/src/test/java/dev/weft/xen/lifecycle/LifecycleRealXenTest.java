package dev.weft.xen.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.unix.EngineKind;
import dev.weft.unix.Engines;
import dev.weft.unix.net.Sockets;
import dev.weft.xen.lifecycle.Lifecycle.Request;
import dev.weft.xen.linux.XenStoreFlows;
import dev.weft.xen.store.XenStore;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link Lifecycle} on real Xen: a request written into {@code control/shutdown} of the domain
 * that runs the test (dom0) by a second xenstore connection, as the toolstack would, reaches
 * {@link Lifecycle#awaitShutdownRequest} through xenstored, which clears the key.
 *
 * <p>The request is {@code crash} because dom0's Linux kernel watches the same key and acts on
 * {@code poweroff}, {@code halt}, {@code reboot} and {@code suspend} itself (it would power the
 * test machine off); it reads {@code crash}, logs that it ignores it, and leaves it for us.
 * Tagged real-xen: run by {@code ./weft test --xen} in dom0.
 */
@Tag("real-xen")
class LifecycleRealXenTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String DOMAIN = "/local/domain/0";
    private static final String KEY = DOMAIN + "/control/shutdown";

    private Loop loop;
    private XenStore guest;
    private XenStore toolstack;

    @BeforeEach
    void open() throws IOException {
        Engine engine = Engines.open(EngineKind.EPOLL);
        loop = Loop.builder().name("lifecycle-test").engine(engine).build();
        Sockets sockets = Sockets.on(loop, engine);
        guest = XenStore.over(run(XenStoreFlows.connectSocket(sockets, PATIENCE)), loop);
        toolstack = XenStore.over(XenStoreFlows.openXenbus(sockets), loop);
    }

    @AfterEach
    void close() {
        run(guest.close());
        run(toolstack.close());
        loop.close();
    }

    @Test
    void aRequestWrittenIntoThisDomainsControlShutdownIsDeliveredAndAcknowledged() {
        Promise<Request> request = Lifecycle.awaitShutdownRequest(guest, DOMAIN, Set.of(Request.CRASH));

        run(toolstack.write(KEY, Request.CRASH.key()));

        assertEquals(Request.CRASH, run(request));
        assertEquals("", run(toolstack.read(KEY)), "acknowledged: the key is cleared, as libxl waits for");
    }

    private <T> T run(Promise<T> promise) {
        return loop.run(loop.withTimeout(PATIENCE, promise));
    }
}
