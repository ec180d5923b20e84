package dev.weft.xen.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.unix.EngineKind;
import dev.weft.unix.Engines;
import dev.weft.unix.net.Sockets;
import dev.weft.xen.lifecycle.Lifecycle.Request;
import dev.weft.xen.linux.XenStoreFlows;
import dev.weft.xen.store.XenStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link Lifecycle#shutdownOnRequest} on real Xen: a request written into {@code
 * control/shutdown} of the domain that runs the test (dom0), through xenbus as the toolstack
 * would, closes the loop gracefully: acknowledged (xenstored holds the cleared key), then the exit
 * hooks run newest first, each awaited while the loop still does I/O over the real xenstore
 * connection and fires timers, then the loop releases everything.
 *
 * <p>The request is {@code crash}, for the reason {@link LifecycleRealXenTest} gives: dom0's own
 * kernel acts on poweroff, halt, reboot and suspend in that key. The graceful path is the same for
 * every accepted request. Tagged real-xen: run by {@code ./weft test --xen} in dom0.
 */
@Tag("real-xen")
class ShutdownOnRequestRealXenTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String DOMAIN = "/local/domain/0";
    private static final String KEY = DOMAIN + "/control/shutdown";

    @Test
    void aRequestInThisDomainsControlShutdownClosesTheLoopAfterItsExitHooks() throws Exception {
        Engine engine = Engines.open(EngineKind.EPOLL);
        Loop loop = Loop.builder().name("shutdown-on-request").engine(engine).build();
        Sockets sockets = Sockets.on(loop, engine);
        XenStore guest = XenStore.over(loop.run(XenStoreFlows.connectSocket(sockets, PATIENCE)), loop);
        XenStore toolstack = XenStore.over(XenStoreFlows.openXenbus(sockets), loop);
        List<String> trace = new ArrayList<>();
        loop.atExit(guest::close); // the connections go last, as a program's do
        loop.atExit(toolstack::close);
        loop.onExit(() -> trace.add("older hook"));
        loop.atExit(() -> toolstack.read(KEY).flatMap(value -> loop.sleep(Duration.ofMillis(10))
                .map(v -> trace.add("newer hook read '" + value + "' over xenbus, then its timer fired"))));
        Promise<Request> request = Lifecycle.shutdownOnRequest(loop, guest, DOMAIN, Set.of(Request.CRASH), PATIENCE);

        Request came = loop.run(loop.withTimeout(PATIENCE,
                toolstack.write(KEY, Request.CRASH.key()).flatMap(v -> request)));
        loop.close(); // the request began the close; this carries its hooks on to the end

        assertEquals(Request.CRASH, came);
        assertTrue(loop.isClosed());
        assertEquals(List.of("newer hook read '' over xenbus, then its timer fired", "older hook"), trace);
    }
}
