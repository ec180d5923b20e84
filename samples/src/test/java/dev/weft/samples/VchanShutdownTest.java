package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.ExitGraceExpired;
import dev.weft.loop.device.Flow;
import dev.weft.promise.LoopHooks;
import dev.weft.promise.Promise;
import dev.weft.xen.lifecycle.Lifecycle.Request;
import dev.weft.xen.vchan.Vchan;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The echo server on a vchan of the Xen model shuts down on a poweroff request exactly as the TCP
 * one does on SIGTERM: the toolstack writes the server domain's {@code control/shutdown}, the
 * server acknowledges it, finishes the echo it is writing, closes the client, runs its exit hooks,
 * and its loop ends.
 */
@Timeout(120)
class VchanShutdownTest {
    private static final long PATIENCE = 60;

    @Test
    void aPoweroffRequestDrainsTheEchoInFlightRunsTheHooksAndEndsTheServersLoop() throws Exception {
        List<Throwable> reported = Collections.synchronizedList(new ArrayList<>());
        LoopHooks.setAsyncExceptionHook(reported::add);
        try (VchanEcho model = new VchanEcho()) {
            CompletableFuture<Void> hooksDone = new CompletableFuture<>();
            CompletableFuture<Request> request = model.serveUntilShutdownRequest(Duration.ofSeconds(30), hooksDone);
            // Twice the ring: the write resolves only once the server has read at least a ring's
            // worth, which it must echo into a ring the client is not reading: an echo in flight.
            byte[] sent = new byte[4 * VchanEcho.RING_BYTES];
            Arrays.fill(sent, (byte) 'e');
            int serverDomain = model.server().domain().domainId();
            Vchan vchan = model.client().submit(() -> Vchan.connect(model.client().domain(), model.client().channels(),
                    model.client().store(), serverDomain, model.path())).get(PATIENCE, TimeUnit.SECONDS);
            model.client().submit(() -> vchan.write(MemorySegment.ofArray(Arrays.copyOf(sent, 2 * VchanEcho.RING_BYTES))))
                    .get(PATIENCE, TimeUnit.SECONDS);

            model.requestShutdown(Request.POWEROFF);

            assertEquals(Request.POWEROFF, request.get(PATIENCE, TimeUnit.SECONDS));
            assertEquals("", model.shutdownKey(), "acknowledged: the key cleared, as libxl waits for");
            byte[] echoed = model.client().submit(() -> readToEnd(vchan, new ByteArrayOutputStream()))
                    .get(PATIENCE, TimeUnit.SECONDS);
            assertTrue(echoed.length >= VchanEcho.RING_BYTES, "the echo in flight was finished: " + echoed.length);
            assertArrayEquals(Arrays.copyOf(sent, echoed.length), echoed, "every byte read was echoed, in order");
            model.client().submit(vchan::close).get(PATIENCE, TimeUnit.SECONDS); // the client's side of the close

            hooksDone.get(PATIENCE, TimeUnit.SECONDS);
            awaitClosed(model);
            assertEquals(List.of(), reported.stream().filter(ExitGraceExpired.class::isInstance).toList(),
                    "the drain finished within the grace");
        } finally {
            LoopHooks.setAsyncExceptionHook(null);
        }
    }

    /** Reads until the server closes its end. */
    private static Promise<byte[]> readToEnd(Flow flow, ByteArrayOutputStream into) {
        return flow.read().flatMap(read -> switch (read) {
            case Flow.Data(var bytes) -> {
                into.writeBytes(bytes.toArray(ValueLayout.JAVA_BYTE));
                yield readToEnd(flow, into);
            }
            case Flow.EndOfStream end -> Promise.of(into.toByteArray());
        });
    }

    private static void awaitClosed(VchanEcho model) throws Exception {
        // close() from another thread joins the loop's thread: it returns once the hooks are done.
        model.server().loop().close();
        assertTrue(model.server().loop().isClosed());
    }
}
