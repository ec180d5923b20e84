package dev.weft.xen.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Loop;
import dev.weft.xen.lifecycle.Lifecycle.Request;
import dev.weft.xen.sim.SimHost;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Lifecycle#shutdownOnRequest} on the model: the toolstack's poweroff closes the guest's
 * loop gracefully. The request is acknowledged first, then the exit hooks run newest first, each
 * awaited while the loop still does I/O (a xenstore round trip, a timer), then the loop ends.
 */
@Timeout(120)
class ShutdownOnRequestTest {
    private static final long PATIENCE = 60;

    @Test
    void aPoweroffRequestRunsTheExitHooksWithTheLoopAliveThenEndsTheLoop() throws Exception {
        try (SimHost host = new SimHost()) {
            SimHost.Guest guest = host.startGuest("guest");
            String home = "/local/domain/" + guest.domain().domainId();
            host.giveDirectory(home + "/control", guest.domain().domainId());
            Loop loop = guest.loop();
            List<String> trace = Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<Request> request = guest.submit(() -> {
                loop.onExit(() -> trace.add("older hook"));
                loop.atExit(() -> guest.store().read(home + "/control/shutdown")
                        .flatMap(value -> loop.sleep(Duration.ofMillis(1)).map(v -> trace.add("newer hook read '"
                                + value + "' from xenstore, then its timer fired"))));
                return Lifecycle.shutdownOnRequest(loop, guest.store(), home, Set.of(Request.POWEROFF),
                        Duration.ofSeconds(30));
            });

            host.toolstack(store -> store.write(home + "/control/shutdown", Request.POWEROFF.key()));

            assertEquals(Request.POWEROFF, request.get(PATIENCE, TimeUnit.SECONDS));
            loop.close(); // from this thread: waits for the loop's thread, so for its hooks
            assertTrue(loop.isClosed());
            assertEquals(List.of("newer hook read '' from xenstore, then its timer fired", "older hook"), trace,
                    "acknowledged before the hooks, which ran newest first with I/O and timers working");
        }
    }
}
