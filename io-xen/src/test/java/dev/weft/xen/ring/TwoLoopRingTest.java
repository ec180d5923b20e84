package dev.weft.xen.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.xen.evtchn.EventChannelDevice;
import dev.weft.xen.evtchn.EventChannels;
import dev.weft.xen.evtchn.XenEngine;
import dev.weft.xen.grant.EndAccess;
import dev.weft.xen.grant.GrantAllocator;
import dev.weft.xen.grant.GrantMapper;
import dev.weft.xen.grant.GrantRef;
import dev.weft.xen.grant.MappedPages;
import dev.weft.xen.grant.SharedPages;
import dev.weft.xen.sim.SimDomain;
import dev.weft.xen.sim.SimHypervisor;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A front and a back in two domains of the hypervisor model, each on its own loop and thread
 * (loops on {@link XenEngine}s), sharing only a granted page and one interdomain event channel, set
 * up as a PV driver pair does: the front grants the page and allocates an unbound port, the back
 * maps the grant and binds the port. Both ends sleep in their engine when their final check finds
 * nothing, so a lost notification hangs the run, which the timeout turns into a failure.
 */
class TwoLoopRingTest {
    private static final long REQUESTS = 10_000_000;
    /** 1,000 below 2^32: the indices wrap early in the run. */
    private static final int START = -1000;

    private final SimHypervisor xen = new SimHypervisor();
    private final SimDomain frontDomain = xen.createDomain();
    private final SimDomain backDomain = xen.createDomain();
    private final EventChannelDevice frontDevice = frontDomain.openEventChannels();
    private final EventChannelDevice backDevice = backDomain.openEventChannels();
    private final XenEngine frontEngine = new XenEngine(frontDevice);
    private final XenEngine backEngine = new XenEngine(backDevice);
    private final Loop frontLoop = Loop.builder().name("front").engine(frontEngine).build();
    private final Loop backLoop = Loop.builder().name("back").engine(backEngine).build();

    @AfterEach
    void close() {
        frontLoop.close();
        backLoop.close();
        frontDevice.close();
        backDevice.close();
    }

    /** What the front publishes for the back (in xenstore, for a real device). */
    private record Published(List<GrantRef> ringRefs, int port) {}

    @Test
    void tenMillionRequestsCrossTwoLoopsWithIndicesWrapping() throws Exception {
        frontLoop.start();
        backLoop.start();
        GrantAllocator[] allocator = new GrantAllocator[1];
        SharedPages[] granted = new SharedPages[1];
        EventChannels[] frontChannels = new EventChannels[1];
        Published published = frontLoop.submit(() -> {
            frontChannels[0] = EventChannels.on(frontLoop, frontEngine);
            int port = frontChannels[0].bindUnbound(backDomain.domainId());
            allocator[0] = frontDomain.openGrantAllocator();
            granted[0] = allocator[0].share(backDomain.domainId(), 1, true);
            SharedRing.over(granted[0].memory(), LongCodec.INSTANCE.entrySize()).initialise(START);
            return Promise.of(new Published(granted[0].refs(), port));
        }).get(30, TimeUnit.SECONDS);

        GrantMapper[] mapper = new GrantMapper[1];
        MappedPages[] mapped = new MappedPages[1];
        backLoop.submit(() -> {
            EventChannels channels = EventChannels.on(backLoop, backEngine);
            int port = channels.bindInterdomain(frontDomain.domainId(), published.port());
            mapper[0] = backDomain.openGrantMapper();
            mapped[0] = mapper[0].map(frontDomain.domainId(), published.ringRefs(), true);
            SharedRing ring = SharedRing.over(mapped[0].memory(), LongCodec.INSTANCE.entrySize());
            RingServer<Long, Long> server = new RingServer<>(ring.back(START), LongCodec.INSTANCE,
                    request -> Promise.of(request + 1), (request, failure) -> -1L, () -> channels.notify(port));
            server.pollOnEvents(channels, port);
            return Promise.unit();
        }).get(30, TimeUnit.SECONDS);

        long mismatches = frontLoop.submit(() -> {
            EventChannels channels = frontChannels[0];
            int port = published.port();
            SharedRing ring = SharedRing.over(granted[0].memory(), LongCodec.INSTANCE.entrySize());
            RingClient<Long, Long> client = new RingClient<>(ring.front(START), LongCodec.INSTANCE,
                    () -> channels.notify(port));
            Promise<Void> polling = client.pollOnEvents(channels, port);
            return new RingLoad(client, REQUESTS).start(2 * ring.size()).andFinally(() -> {
                polling.cancel();
                return Promise.unit();
            });
        }).get(2, TimeUnit.MINUTES);

        assertEquals(0, mismatches);
        // On the front loop: the model confines shared pages to the thread that shared them.
        int reqProd = frontLoop.submit(() -> Promise.of(granted[0].memory().get(ValueLayout.JAVA_INT, SharedRing.REQ_PROD)))
                .get(30, TimeUnit.SECONDS);
        assertEquals(START + (int) REQUESTS, reqProd);
        assertTrue(Integer.compareUnsigned(reqProd, START) < 0, "req_prod wrapped past 2^32");
        backLoop.submit(() -> {
            mapped[0].close();
            mapper[0].close();
            return Promise.unit();
        }).get(30, TimeUnit.SECONDS);
        assertEquals(EndAccess.ENDED, frontLoop.submit(() -> {
            EndAccess ended = granted[0].end();
            allocator[0].close();
            return Promise.of(ended);
        }).get(30, TimeUnit.SECONDS));
        assertEquals(0, frontDomain.liveGrants());
    }
}
