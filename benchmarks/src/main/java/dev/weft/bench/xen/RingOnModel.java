package dev.weft.bench.xen;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.xen.evtchn.EventChannelDevice;
import dev.weft.xen.evtchn.EventChannels;
import dev.weft.xen.evtchn.XenEngine;
import dev.weft.xen.grant.GrantAllocator;
import dev.weft.xen.grant.GrantMapper;
import dev.weft.xen.grant.GrantRef;
import dev.weft.xen.grant.MappedPages;
import dev.weft.xen.grant.SharedPages;
import dev.weft.xen.ring.RingClient;
import dev.weft.xen.ring.RingCodec;
import dev.weft.xen.ring.RingServer;
import dev.weft.xen.ring.SharedRing;
import dev.weft.xen.sim.SimDomain;
import dev.weft.xen.sim.SimHypervisor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A shared ring of 16-byte entries on one granted page (128 slots) between a front and a back in
 * two domains of the hypervisor model, each on a loop of its own thread running a {@link XenEngine},
 * joined by one interdomain event channel: the ring's real code path on the model.
 */
final class RingOnModel extends RoundTrips {
    private final SimHypervisor xen = new SimHypervisor();
    private final SimDomain frontDomain = xen.createDomain();
    private final SimDomain backDomain = xen.createDomain();
    private final EventChannelDevice frontDevice = frontDomain.openEventChannels();
    private final EventChannelDevice backDevice = backDomain.openEventChannels();
    private final XenEngine frontEngine = new XenEngine(frontDevice);
    private final XenEngine backEngine = new XenEngine(backDevice);
    private final Loop frontLoop = Loop.builder().name("ring-front").engine(frontEngine).build();
    private final Loop backLoop = Loop.builder().name("ring-back").engine(backEngine).build();
    /** Front loop only. */
    private GrantAllocator allocator;
    /** Front loop only. */
    private SharedPages granted;
    /** Back loop only. */
    private GrantMapper mapper;
    /** Back loop only. */
    private MappedPages mapped;
    private RingClient<Long, Long> client;

    /** The front grants a page and offers a port; the back maps the page and binds the port. */
    RingOnModel() throws Exception {
        backLoop.start();
        frontLoop.start();
        EventChannels[] frontChannels = new EventChannels[1];
        int frontPort = frontLoop.submit(() -> {
            frontChannels[0] = EventChannels.on(frontLoop, frontEngine);
            allocator = frontDomain.openGrantAllocator();
            granted = allocator.share(backDomain.domainId(), 1, true);
            SharedRing.over(granted.memory(), Codec.INSTANCE.entrySize()).initialise(0);
            return Promise.of(frontChannels[0].bindUnbound(backDomain.domainId()));
        }).get(10, TimeUnit.SECONDS);
        List<GrantRef> refs = granted.refs();
        backLoop.submit(() -> {
            EventChannels channels = EventChannels.on(backLoop, backEngine);
            int port = channels.bindInterdomain(frontDomain.domainId(), frontPort);
            mapper = backDomain.openGrantMapper();
            mapped = mapper.map(frontDomain.domainId(), refs, true);
            SharedRing ring = SharedRing.over(mapped.memory(), Codec.INSTANCE.entrySize());
            RingServer<Long, Long> server = new RingServer<>(ring.back(), Codec.INSTANCE, this::serve,
                    (request, failure) -> -1L, () -> {
                        serverSignalled();
                        channels.notify(port);
                    });
            server.pollOnEvents(channels, port);
            return Promise.unit();
        }).get(10, TimeUnit.SECONDS);
        frontLoop.submit(() -> {
            EventChannels channels = frontChannels[0];
            SharedRing ring = SharedRing.over(granted.memory(), Codec.INSTANCE.entrySize());
            client = new RingClient<>(ring.front(), Codec.INSTANCE, () -> {
                clientSignalled();
                channels.notify(frontPort);
            });
            client.pollOnEvents(channels, frontPort);
            return Promise.unit();
        }).get(10, TimeUnit.SECONDS);
    }

    private Promise<Long> serve(Long sentAt) {
        return Promise.of(answer(sentAt));
    }

    @Override
    Promise<Long> request(long value) {
        return client.request(value);
    }

    @Override
    Loop clientLoop() {
        return frontLoop;
    }

    @Override
    Loop serverLoop() {
        return backLoop;
    }

    @Override
    String name() {
        return "xen ring (model)";
    }

    @Override
    public void close() {
        backLoop.submit(() -> {
            mapped.close();
            mapper.close();
            return Promise.unit();
        }).join();
        frontLoop.submit(() -> {
            granted.end();
            allocator.close();
            return Promise.unit();
        }).join();
        frontLoop.close();
        backLoop.close();
        frontDevice.close();
        backDevice.close();
    }

    /** Request and response are both {@code {u64 id; u64 value}}. */
    private static final class Codec implements RingCodec<Long, Long> {
        static final Codec INSTANCE = new Codec();
        private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;

        @Override
        public int entrySize() {
            return 16;
        }

        @Override
        public void writeRequest(long id, Long request, MemorySegment slot) {
            slot.set(U64, 0, id);
            slot.set(U64, 8, request);
        }

        @Override
        public long requestId(MemorySegment copy) {
            return copy.get(U64, 0);
        }

        @Override
        public Long readRequest(MemorySegment copy) {
            return copy.get(U64, 8);
        }

        @Override
        public void writeResponse(long id, Long response, MemorySegment slot) {
            writeRequest(id, response, slot);
        }

        @Override
        public long responseId(MemorySegment copy) {
            return requestId(copy);
        }

        @Override
        public Long readResponse(MemorySegment copy) {
            return readRequest(copy);
        }
    }
}
