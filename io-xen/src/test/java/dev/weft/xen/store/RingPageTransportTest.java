package dev.weft.xen.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.xen.evtchn.EventChannelDevice;
import dev.weft.xen.evtchn.EventChannels;
import dev.weft.xen.evtchn.XenEngine;
import dev.weft.xen.grant.EndAccess;
import dev.weft.xen.grant.GrantAllocator;
import dev.weft.xen.grant.GrantMapper;
import dev.weft.xen.grant.MappedPages;
import dev.weft.xen.grant.SharedPages;
import dev.weft.xen.ring.RingBroken;
import dev.weft.xen.ring.XenstoreRingPage;
import dev.weft.xen.sim.SimDomain;
import dev.weft.xen.sim.SimHypervisor;
import dev.weft.xen.sim.SimXenStore;
import dev.weft.xen.store.Permissions.Access;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client in a guest domain and the model daemon in another, each on its own loop and thread
 * blocking on event channels (XenEngine), sharing only the xenstore ring page (granted by the
 * guest) and one interdomain event channel: the transport a PV guest uses.
 */
class RingPageTransportTest {
    private static final long TIMEOUT_SECONDS = 30;

    private final SimHypervisor xen = new SimHypervisor();
    private final SimDomain guestDomain = xen.createDomain();
    private final SimDomain storeDomain = xen.createDomain();
    private final EventChannelDevice guestDevice = guestDomain.openEventChannels();
    private final EventChannelDevice storeDevice = storeDomain.openEventChannels();
    private final XenEngine guestEngine = new XenEngine(guestDevice);
    private final XenEngine storeEngine = new XenEngine(storeDevice);
    private final Loop guestLoop = Loop.builder().name("guest").engine(guestEngine).build();
    private final Loop storeLoop = Loop.builder().name("xenstored").engine(storeEngine).build();
    private final int guest = guestDomain.domainId();
    private EventChannels guestChannels;
    private EventChannels storeChannels;
    private GrantAllocator allocator;
    private SharedPages page;
    private GrantMapper mapper;
    private MappedPages mapped;
    private SimXenStore daemon;
    private XenStore toolstack;
    private XenStore client;
    private String home;

    @BeforeEach
    void connect() throws Exception {
        guestLoop.start();
        storeLoop.start();
        int guestPort = on(guestLoop, () -> {
            guestChannels = EventChannels.on(guestLoop, guestEngine);
            allocator = guestDomain.openGrantAllocator();
            page = allocator.share(storeDomain.domainId(), 1, true);
            return Promise.of(guestChannels.bindUnbound(storeDomain.domainId()));
        });
        home = StorePath.home(guest);
        on(storeLoop, () -> {
            storeChannels = EventChannels.on(storeLoop, storeEngine);
            int port = storeChannels.bindInterdomain(guest, guestPort);
            mapper = storeDomain.openGrantMapper();
            mapped = mapper.map(guest, page.refs(), true);
            daemon = new SimXenStore();
            daemon.serve(RingFlow.open(XenstoreRingPage.of(mapped.memory()).server(), storeChannels, port), guest);
            toolstack = XenStore.over(daemon.connect(storeLoop, storeLoop, 0), storeLoop);
            return toolstack.mkdir(home).flatMap(v -> toolstack.setPerms(home, Permissions.of(guest, Access.NONE)));
        });
        client = on(guestLoop, () -> Promise.of(XenStore.over(
                RingFlow.open(XenstoreRingPage.of(page.memory()).client(), guestChannels, guestPort), guestLoop,
                XenStore.Config.DEFAULT.withHome(home))));
    }

    @AfterEach
    void disconnect() throws Exception {
        on(guestLoop, () -> client.close());
        on(storeLoop, () -> {
            toolstack.close();
            mapped.close();
            mapper.close();
            storeChannels.close();
            return Promise.unit();
        });
        EndAccess ended = on(guestLoop, () -> {
            EndAccess result = page.end();
            allocator.close();
            guestChannels.close();
            return Promise.of(result);
        });
        guestLoop.close();
        storeLoop.close();
        guestDevice.close();
        storeDevice.close();
        assertEquals(EndAccess.ENDED, ended);
    }

    private static <T> T on(Loop loop, Supplier<Promise<T>> work) throws Exception {
        return loop.submit(work).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void aGuestWritesAndReadsThroughTheRingPage() throws Exception {
        assertEquals("vm-1", on(guestLoop, () -> client.write("name", "vm-1").flatMap(v -> client.read("name"))));
    }

    @Test
    void aMessageLargerThanTheRingCrossesInPieces() throws Exception {
        String big = "x".repeat(4000);
        assertEquals(big, on(guestLoop, () -> client.write("big", big).flatMap(v -> client.read("big"))));
    }

    @Test
    void manyRequestsInFlightAllGetTheirReplies() throws Exception {
        int total = on(guestLoop, () -> {
            Promise<Integer> sum = Promise.of(0);
            for (int i = 0; i < 200; i++) {
                int value = i;
                Promise<String> written = client.write("n/" + i, Integer.toString(i)).flatMap(v -> client.read("n/" + value));
                sum = Promise.both(sum, written).map(pair -> pair.first() + Integer.parseInt(pair.second()));
            }
            return sum;
        });
        assertEquals(199 * 200 / 2, total);
    }

    @Test
    void watchEventsArriveThroughTheRingPage() throws Exception {
        Watch watch = on(guestLoop, () -> client.watch("device", "tok").flatMap(w -> w.events().next().map(first -> w)));
        on(storeLoop, () -> toolstack.write(home + "/device/vif", "new"));
        assertEquals(new WatchEvent(home + "/device/vif", "tok"), on(guestLoop, () -> watch.events().next()));
    }

    @Test
    void aCorruptedResponseIndexBreaksTheClientWithRingBroken() throws Exception {
        Throwable failure = on(guestLoop, () -> {
            // The daemon's producer index, scribbled far beyond what the 1024-byte ring can hold.
            page.memory().set(ValueLayout.JAVA_INT, XenstoreRingPage.RSP_PROD, 0x40000000);
            return client.read("name").map(v -> (Throwable) null).recover(Promise::of);
        });
        assertInstanceOf(RingBroken.class, failure);
    }
}
