package dev.weft.xen.lifecycle;

import static dev.weft.xen.lifecycle.Lifecycle.Request.CRASH;
import static dev.weft.xen.lifecycle.Lifecycle.Request.HALT;
import static dev.weft.xen.lifecycle.Lifecycle.Request.POWEROFF;
import static dev.weft.xen.lifecycle.Lifecycle.Request.REBOOT;
import static dev.weft.xen.lifecycle.Lifecycle.Request.SUSPEND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.xen.lifecycle.Lifecycle.Request;
import dev.weft.xen.sim.SimXenStore;
import dev.weft.xen.store.Permissions;
import dev.weft.xen.store.Permissions.Access;
import dev.weft.xen.store.XenStore;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A guest (domain 5) on its own loop and thread waits for shutdown requests; the toolstack (dom0)
 * writes them through its own connection to the model's xenstore daemon, on a third loop.
 */
class LifecycleTest {
    private static final long TIMEOUT_SECONDS = 30;
    private static final String HOME = "/local/domain/5";
    private static final String SHUTDOWN = HOME + "/control/shutdown";

    private final Loop daemonLoop = Loop.builder().name("xenstored").build();
    private final Loop guestLoop = Loop.builder().name("guest").build();
    private final SimXenStore daemon = new SimXenStore();
    private XenStore toolstack;
    private XenStore guest;

    @BeforeEach
    void start() {
        daemonLoop.start();
        guestLoop.start();
        toolstack = on(daemonLoop, () -> {
            XenStore store = XenStore.over(daemon.connect(daemonLoop, daemonLoop, 0), daemonLoop);
            return store.mkdir(HOME + "/control")
                    .flatMap(v -> store.setPerms(HOME + "/control", Permissions.of(5, Access.NONE)))
                    .map(v -> store);
        });
        guest = on(guestLoop, () -> Promise.of(XenStore.over(daemon.connect(daemonLoop, guestLoop, 5), guestLoop)));
    }

    @AfterEach
    void stop() {
        on(guestLoop, () -> guest.close());
        on(daemonLoop, () -> toolstack.close());
        on(daemonLoop, daemon::idle);
        on(guestLoop, Promise::unit);
        guestLoop.close();
        daemonLoop.close();
    }

    private static <T> T on(Loop loop, Supplier<Promise<T>> work) {
        try {
            return loop.submit(work).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(loop.name() + ": " + e, e);
        }
    }

    /** Starts waiting on the guest's loop; whatever is written before or after, the watch's events cover it. */
    private CompletableFuture<Request> await(Set<Request> accepted) {
        return guestLoop.submit(() -> Lifecycle.awaitShutdownRequest(guest, HOME, accepted));
    }

    private void toolstackWrites(String value) {
        on(daemonLoop, () -> toolstack.write(SHUTDOWN, value));
    }

    private String key() {
        return on(daemonLoop, () -> toolstack.read(SHUTDOWN));
    }

    private static Request get(CompletableFuture<Request> request) throws Exception {
        return request.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @EnumSource(Request.class)
    void eachRequestIsDeliveredAndAcknowledgedByClearingTheKey(Request sent) throws Exception {
        CompletableFuture<Request> request = await(EnumSet.allOf(Request.class));
        toolstackWrites(sent.key());

        assertEquals(sent, get(request));
        assertEquals("", key(), "acknowledged as libxl expects: the key is empty");
    }

    @Test
    void aRequestWrittenBeforeTheGuestListensIsStillDelivered() throws Exception {
        toolstackWrites("reboot");

        assertEquals(REBOOT, get(await(Set.of(POWEROFF, REBOOT))));
    }

    @Test
    void acceptedRequestsAreAdvertisedAsFeatureKeysAsLinuxDoes() throws Exception {
        CompletableFuture<Request> request = await(Set.of(POWEROFF, SUSPEND, CRASH));
        toolstackWrites("poweroff");
        get(request);

        List<String> control = on(daemonLoop, () -> toolstack.directory(HOME + "/control"));
        assertEquals(Set.of("shutdown", "feature-poweroff", "feature-suspend"), Set.copyOf(control));
    }

    @Test
    void aRequestThatIsNotAcceptedIsLeftInTheKeyForTheToolstack() {
        toolstackWrites("reboot");

        Optional<Request> taken = on(guestLoop, () -> Lifecycle.takeRequest(guest, SHUTDOWN, Set.of(POWEROFF)));

        assertEquals(Optional.empty(), taken);
        assertEquals("reboot", key());
    }

    @Test
    void aValueThatNamesNoRequestIsLeftAlone() {
        toolstackWrites("dance");

        Optional<Request> taken = on(guestLoop, () -> Lifecycle.takeRequest(guest, SHUTDOWN, EnumSet.allOf(Request.class)));

        assertEquals(Optional.empty(), taken);
        assertEquals("dance", key());
    }

    @Test
    void afterIgnoringARequestTheWaitGoesOnToTheNextAcceptedOne() throws Exception {
        toolstackWrites("suspend");
        CompletableFuture<Request> request = await(Set.of(HALT));
        toolstackWrites("halt");

        assertEquals(HALT, get(request));
    }

    @Test
    void aWaitCancelledWhileItIsStillAdvertisingAcknowledgesNothing() {
        boolean cancelled = on(guestLoop, () -> {
            Promise<Request> waiting = Lifecycle.awaitShutdownRequest(guest, HOME, Set.of(POWEROFF));
            waiting.cancel(); // its feature key's write is still in flight: xenstore requests cannot be cancelled
            return Promise.of(waiting.isCancelled());
        });

        assertTrue(cancelled);
        toolstackWrites("poweroff");
        assertEquals("poweroff", key(), "nobody acknowledged it");
    }

    @Test
    void aCancelledWaitAcknowledgesNothing() {
        Promise<Request> waiting = on(guestLoop, () -> Promise.of(Lifecycle.awaitShutdownRequest(guest, HOME,
                Set.of(POWEROFF))));
        on(guestLoop, () -> {
            waiting.cancel();
            return Promise.unit();
        });

        assertTrue(on(guestLoop, () -> Promise.of(waiting.isCancelled())));
        toolstackWrites("poweroff");
        assertEquals("poweroff", key(), "nobody acknowledged it");
    }
}
