package dev.weft.xen.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Loop;
import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.xen.evtchn.EventChannelDevice;
import dev.weft.xen.evtchn.EventChannels;
import dev.weft.xen.evtchn.XenEngine;
import dev.weft.xen.ring.BytePipe;
import dev.weft.xen.ring.XenstoreRingPage;
import dev.weft.xen.sim.SimDomain;
import dev.weft.xen.sim.SimHypervisor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The guest's end of the xenstore ring page against a daemon that writes again as soon as the
 * guest has read (played by the test on the guest's own thread, as if on another CPU): the guest's
 * loop must keep turning.
 */
class RingFlowFairnessTest {
    private static final int READS = 10_000;

    private final SimHypervisor xen = new SimHypervisor();
    private final SimDomain guest = xen.createDomain();
    private final EventChannelDevice device = guest.openEventChannels();
    private final XenEngine engine = new XenEngine(device);
    private final Loop loop = Loop.builder().engine(engine).build();
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment page = arena.allocate(4096, 4096);
    private final BytePipe daemon = XenstoreRingPage.of(page).server();
    private EventChannels channels;

    @AfterEach
    void close() {
        loop.run(Promise.apply(() -> {
            channels.close();
            return Promise.unit();
        }));
        loop.close();
        device.close();
        arena.close();
    }

    @Test
    void aDaemonThatKeepsTheRingFromGoingEmptyCannotHoldTheGuestsLoop() {
        int[] reads = {0};
        int[] readsInTheFirstTurn = {0};
        Promise<Void> all = loop.run(Promise.apply(() -> {
            channels = EventChannels.on(loop, engine);
            int port = channels.bindUnbound(guest.domainId()); // nobody bound at the other end: notifies drop
            RingFlow flow = RingFlow.open(XenstoreRingPage.of(page).client(), channels, port);
            daemon.write(new byte[] {1}, 0, 1);
            Promise<Void> chain = readOn(flow, reads);
            readsInTheFirstTurn[0] = reads[0];
            return Promise.of(chain);
        }));

        loop.run(loop.withTimeout(Duration.ofSeconds(30), all));

        assertEquals(READS, reads[0]);
        assertTrue(readsInTheFirstTurn[0] < 100, readsInTheFirstTurn[0] + " reads before the loop turned once");
    }

    /** Reads until {@link #READS} reads were answered; after each, the daemon writes one byte more. */
    private Promise<Void> readOn(RingFlow flow, int[] reads) {
        return flow.read().flatMap(read -> {
            assertTrue(read instanceof Flow.Data);
            if (++reads[0] == READS) {
                return Promise.unit();
            }
            daemon.write(new byte[] {1}, 0, 1);
            return readOn(flow, reads);
        });
    }
}
