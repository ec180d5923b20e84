package dev.weft.xen.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import dev.weft.xen.evtchn.EventChannelDevice;
import dev.weft.xen.evtchn.EventChannels;
import dev.weft.xen.evtchn.XenEngine;
import dev.weft.xen.sim.SimDomain;
import dev.weft.xen.sim.SimHypervisor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A ring end driven by its event channel on a loop, with the peer played by the test thread
 * through the model: a notification makes the end look again; a broken ring ends the driving
 * promise with the typed failure.
 */
class PollOnEventsTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private final SimHypervisor xen = new SimHypervisor();
    private final SimDomain local = xen.createDomain();
    private final SimDomain peer = xen.createDomain();
    private final EventChannelDevice localDevice = local.openEventChannels();
    private final EventChannelDevice peerDevice = peer.openEventChannels();
    private final XenEngine engine = new XenEngine(localDevice);
    private final Loop loop = Loop.builder().engine(engine).build();
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment page = arena.allocate(4096, 4096);
    private final SharedRing ring = SharedRing.over(page, 16).initialise(0);
    private EventChannels channels;
    private int port;
    private int peerPort;

    @AfterEach
    void close() {
        if (channels != null) {
            channels.close();
        }
        loop.close();
        localDevice.close();
        peerDevice.close();
        arena.close();
    }

    private void bind() {
        channels = EventChannels.on(loop, engine);
        port = channels.bindUnbound(peer.domainId());
        peerPort = peerDevice.bindInterdomain(local.domainId(), port);
    }

    /** Answers request slot {@code index} as a back would: id and value + 1, then rsp_prod. */
    private void answer(int index) {
        long slot = SharedRing.HEADER_BYTES + 16L * index;
        page.set(ValueLayout.JAVA_LONG, slot + 8, page.get(ValueLayout.JAVA_LONG, slot + 8) + 1);
        page.set(ValueLayout.JAVA_INT, SharedRing.RSP_PROD, index + 1);
    }

    @Test
    void aNotificationMakesTheClientTakeTheResponse() {
        Promise<Long> answer = loop.run(Promise.apply(() -> {
            bind();
            RingClient<Long, Long> client =
                    new RingClient<>(ring.front(), LongCodec.INSTANCE, () -> channels.notify(port));
            client.pollOnEvents(channels, port);
            return Promise.of(client.request(41L));
        }));
        loop.runOnce(0);
        assertTrue(answer.isPending());
        assertEquals(0, channels.counter(port), "no event yet: only the notification below can wake the client");

        answer(0);
        peerDevice.notify(peerPort);

        assertEquals(42L, loop.run(loop.withTimeout(PATIENCE, answer)));
    }

    @Test
    void requestsLeftByAPollThatUsedItsTurnAreServedOnTheNextTurnWithoutAnEvent() {
        int more = 5 * ring.size();
        int[] served = {0};
        Promise<Void> allServed = loop.run(Promise.apply(() -> {
            bind();
            // The front notifies only when asked (req_event), which a back in the middle of a poll has not done.
            RingClient<Long, Long> client =
                    new RingClient<>(ring.front(), LongCodec.INSTANCE, () -> peerDevice.notify(peerPort));
            client.request(0L);
            Resolver<Void> done = Promise.pending();
            new RingServer<Long, Long>(ring.back(), LongCodec.INSTANCE, request -> {
                client.poll(); // the front takes what was answered and keeps the ring busy
                if (++served[0] <= more) {
                    client.request(request);
                } else {
                    done.resolve(null);
                }
                return Promise.of(request);
            }, (request, failure) -> 0L, () -> { }).pollOnEvents(channels, port);
            return Promise.of(done.promise());
        }));

        loop.run(loop.withTimeout(PATIENCE, allServed));

        assertEquals(more + 1, served[0]);
        assertEquals(1, channels.counter(port), "one event, the first push's (req_event starts at 1); none after");
    }

    @Test
    void responsesLeftByAPollThatUsedItsTurnAreTakenOnTheNextTurnWithoutAnEvent() {
        int more = 5 * ring.size();
        int[] answered = {0};
        List<RingServer<Long, Long>> back = new ArrayList<>();
        Promise<Void> allAnswered = loop.run(Promise.apply(() -> {
            bind();
            // Told of each batch, the back answers it at once, as if on another CPU, and notifies when asked.
            RingClient<Long, Long> client =
                    new RingClient<>(ring.front(), LongCodec.INSTANCE, () -> back.getFirst().poll());
            back.add(new RingServer<>(ring.back(), LongCodec.INSTANCE, Promise::of, (request, failure) -> 0L,
                    () -> peerDevice.notify(peerPort)));
            Resolver<Void> done = Promise.pending();
            Consumer<Long> again = new Consumer<>() {
                @Override
                public void accept(Long response) {
                    if (++answered[0] <= more) {
                        client.request(response).onSuccess(this); // each answer asks again, as RX reposts its page
                    } else {
                        done.resolve(null);
                    }
                }
            };
            client.pollOnEvents(channels, port);
            client.request(0L).onSuccess(again);
            return Promise.of(done.promise());
        }));

        loop.run(loop.withTimeout(PATIENCE, allAnswered));

        assertEquals(more + 1, answered[0]);
        assertEquals(1, channels.counter(port), "one event, for the first answer; none after");
    }

    @Test
    void aBrokenRingEndsTheDrivingPromiseWithTheTypedFailure() {
        Promise<?>[] driving = new Promise<?>[1];
        Promise<Long> answer = loop.run(Promise.apply(() -> {
            bind();
            RingClient<Long, Long> client =
                    new RingClient<>(ring.front(), LongCodec.INSTANCE, () -> channels.notify(port));
            driving[0] = client.pollOnEvents(channels, port);
            return Promise.of(client.request(41L));
        }));

        page.set(ValueLayout.JAVA_INT, SharedRing.RSP_PROD, 7); // seven responses to one request
        peerDevice.notify(peerPort);
        loop.run(loop.withTimeout(PATIENCE, answer.recover(failure -> Promise.of(-1L))));

        RingBroken broken = assertInstanceOf(RingBroken.class, answer.failure());
        assertTrue(driving[0].isRejected());
        assertSame(broken, driving[0].failure());
        assertEquals("alive", loop.run(Promise.of("alive")));
    }
}
