package dev.weft.xen.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.unix.EngineKind;
import dev.weft.unix.Engines;
import dev.weft.xen.evtchn.EventChannels;
import dev.weft.xen.evtchn.XenEngine;
import dev.weft.xen.grant.EndAccess;
import dev.weft.xen.linux.LinuxEventChannels;
import dev.weft.xen.linux.LinuxGrantAllocator;
import dev.weft.xen.linux.LinuxGrantMapper;
import dev.weft.xen.linux.LinuxMappedPages;
import dev.weft.xen.linux.LinuxSharedPages;
import dev.weft.xen.linux.LinuxXenPlatform;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A ring round trip on real Xen: a front and a back, each on its own loop and thread blocking in
 * a {@link XenEngine} over its own /dev/xen/evtchn handle (or in io-unix's epoll engine, the
 * evtchn fd one of its sources), share only a page granted with
 * gntalloc and mapped back with gntdev, and one interdomain event channel (this domain to itself).
 * A lost notification stalls the exchange, which the timeout turns into a failure. Tagged
 * real-xen: run by {@code ./weft test --xen} in dom0.
 */
@Tag("real-xen")
class RingOverLinuxDevicesRealXenTest {

    private static final int REQUESTS = 10_000;
    /** 100 below 2^32, so the indices wrap early in the run. */
    private static final int START = -100;

    @Test
    void tenThousandRequestsCrossTwoLoopsBlockingInXenEngines() throws Exception {
        roundTrips(false);
    }

    @Test
    void tenThousandRequestsCrossTwoLoopsWithTheEvtchnFdInEpoll() throws Exception {
        roundTrips(true);
    }

    /** The exchange, each loop blocking in a XenEngine, or in io-unix's epoll engine (onEpoll). */
    private static void roundTrips(boolean onEpoll) throws Exception {
        long fdsBefore = openFds();
        LinuxXenPlatform platform = LinuxXenPlatform.open();
        int domain = platform.domainId();
        LinuxGrantAllocator allocator = platform.openGrantAllocator();
        LinuxGrantMapper mapper = platform.openGrantMapper();
        LinuxSharedPages shared = allocator.share(domain, 1, true);
        LinuxMappedPages mapped = mapper.map(domain, shared.refs(), true);
        SharedRing frontView = SharedRing.over(shared.memory(), LongCodec.INSTANCE.entrySize()).initialise(START);
        SharedRing backView = SharedRing.over(mapped.memory(), LongCodec.INSTANCE.entrySize());
        LinuxEventChannels frontDevice = platform.openEventChannels();
        LinuxEventChannels backDevice = platform.openEventChannels();
        Engine frontEngine = onEpoll ? Engines.open(EngineKind.EPOLL) : new XenEngine(frontDevice);
        Engine backEngine = onEpoll ? Engines.open(EngineKind.EPOLL) : new XenEngine(backDevice);
        Loop frontLoop = Loop.builder().name("front").engine(frontEngine).build();
        Loop backLoop = Loop.builder().name("back").engine(backEngine).build();
        long mismatches;
        try {
            backLoop.start();
            frontLoop.start();
            int backPort = backLoop.submit(() -> {
                EventChannels channels = channelsOn(backLoop, backEngine, backDevice);
                int port = channels.bindUnbound(domain);
                RingServer<Long, Long> server = new RingServer<>(backView.back(START), LongCodec.INSTANCE,
                        request -> Promise.of(request + 1), (request, failure) -> -1L, () -> channels.notify(port));
                server.pollOnEvents(channels, port);
                return Promise.of(port);
            }).get(60, TimeUnit.SECONDS);
            mismatches = frontLoop.submit(() -> {
                EventChannels channels = channelsOn(frontLoop, frontEngine, frontDevice);
                int port = channels.bindInterdomain(domain, backPort);
                RingClient<Long, Long> client = new RingClient<>(frontView.front(START), LongCodec.INSTANCE,
                        () -> channels.notify(port));
                Promise<Void> polling = client.pollOnEvents(channels, port);
                return new RingLoad(client, REQUESTS).start(2 * frontView.size()).andFinally(() -> {
                    polling.cancel();
                    return Promise.unit();
                });
            }).get(5, TimeUnit.MINUTES);
        } finally {
            frontLoop.close();
            backLoop.close();
            frontDevice.close();
            backDevice.close();
        }
        int reqProd = mapped.memory().get(ValueLayout.JAVA_INT, SharedRing.REQ_PROD);
        mapped.close();
        EndAccess ended = shared.end();
        allocator.close();
        mapper.close();

        assertEquals(0, mismatches, "every response answered its own request");
        assertEquals(START + REQUESTS, reqProd, "req_prod counted every request, wrapping past 2^32");
        assertEquals(EndAccess.ENDED, ended);
        assertEquals(fdsBefore, openFds(), "every device fd was closed");
    }

    private static EventChannels channelsOn(Loop loop, Engine engine, LinuxEventChannels device) {
        return engine instanceof XenEngine xen ? EventChannels.on(loop, xen) : EventChannels.on(loop, device);
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
