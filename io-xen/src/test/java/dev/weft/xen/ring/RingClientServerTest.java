package dev.weft.xen.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Promise-level client and server, both driven on the test thread (the peer polled by hand). */
class RingClientServerTest {
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment page = arena.allocate(4096, 4096);
    private final SharedRing ring = SharedRing.over(page, 16).initialise(0);
    private int backNotified;
    private int frontNotified;
    private final RingClient<Long, Long> client = new RingClient<>(ring.front(), LongCodec.INSTANCE,
            () -> backNotified++);
    private final List<Resolver<Long>> handlerResponses = new ArrayList<>();
    private final RingServer<Long, Long> deferredServer = new RingServer<>(ring.back(), LongCodec.INSTANCE,
            request -> {
                Resolver<Long> response = Promise.pending();
                handlerResponses.add(response);
                return response.promise();
            }, (request, failure) -> -1L, () -> frontNotified++);

    @AfterEach
    void freePage() {
        arena.close();
    }

    private RingServer<Long, Long> doublingServer() {
        return new RingServer<>(ring.back(), LongCodec.INSTANCE, request -> Promise.of(request * 2),
                (request, failure) -> 0L, () -> frontNotified++);
    }

    @Test
    void aFrontThatKeepsTheRingBusyCannotHoldOnePollForEver() {
        int[] issued = {1};
        RingServer<Long, Long> server = new RingServer<>(ring.back(), LongCodec.INSTANCE, request -> {
            // The front, as if on another CPU: takes what was answered and sends one more, as fast as we serve.
            client.poll();
            if (issued[0] < 10_000) {
                issued[0]++;
                client.request(request);
            }
            return Promise.of(request);
        }, (request, failure) -> 0L, () -> frontNotified++);
        client.request(1L);

        int taken = server.poll();

        assertTrue(taken <= ring.size(), "one poll took " + taken + " requests from a ring of " + ring.size());
    }

    @Test
    void aBackThatAnswersAsFastAsTheFrontAsksCannotHoldOnePollForEver() {
        List<RingServer<Long, Long>> back = new ArrayList<>();
        // Told of each batch, the back answers it at once, as if on another CPU (netback filling posted RX pages).
        RingClient<Long, Long> front = new RingClient<>(ring.front(), LongCodec.INSTANCE, () -> back.getFirst().poll());
        back.add(doublingServer());
        int[] sent = {1};
        java.util.function.Consumer<Long> repost = new java.util.function.Consumer<>() {
            @Override
            public void accept(Long response) {
                if (sent[0] < 10_000) {
                    sent[0]++;
                    front.request(1L).onSuccess(this);
                }
            }
        };
        front.request(1L).onSuccess(repost);

        int taken = front.poll();

        assertTrue(taken <= ring.size(), "one poll took " + taken + " responses from a ring of " + ring.size());
    }

    @Test
    void aRequestIsAnsweredThroughTheRing() {
        RingServer<Long, Long> server = doublingServer();
        Promise<Long> answer = client.request(21L);

        assertEquals(1, server.poll());
        assertEquals(1, client.poll());
        assertEquals(42L, answer.value());
        assertEquals(1, backNotified);
        assertEquals(1, frontNotified);
    }

    @Test
    void responsesInAnotherOrderReachTheirOwnRequests() {
        Promise<Long> first = client.request(1L);
        Promise<Long> second = client.request(2L);
        deferredServer.poll();

        handlerResponses.get(1).resolve(20L);
        handlerResponses.get(0).resolve(10L);
        client.poll();

        assertEquals(10L, first.value());
        assertEquals(20L, second.value());
    }

    @Test
    void requestsMadeByResponseCallbacksArePublishedTogetherAtTheEndOfThePass() {
        RingServer<Long, Long> server = doublingServer();
        List<Integer> reqProdSeenInCallbacks = new ArrayList<>();
        for (long i = 0; i < 3; i++) {
            client.request(i).onSuccess(response -> {
                client.request(response);
                reqProdSeenInCallbacks.add(page.get(ValueLayout.JAVA_INT, SharedRing.REQ_PROD));
            });
        }
        server.poll();

        client.poll();

        assertEquals(List.of(3, 3, 3), reqProdSeenInCallbacks);
        assertEquals(6, page.get(ValueLayout.JAVA_INT, SharedRing.REQ_PROD));
    }

    @Test
    void aFullRingMakesTheNextRequestWaitUntilASlotFrees() {
        List<Promise<Long>> answers = new ArrayList<>();
        for (long i = 0; i <= ring.size(); i++) {
            answers.add(client.request(i));
        }
        assertEquals(ring.size(), client.inFlight());
        assertEquals(1, client.waiting());
        deferredServer.poll();
        assertEquals(ring.size(), handlerResponses.size(), "the waiting request is not on the ring yet");

        handlerResponses.get(0).resolve(100L);
        client.poll();

        assertEquals(100L, answers.get(0).value());
        assertEquals(0, client.waiting());
        deferredServer.poll();
        assertEquals(ring.size() + 1, handlerResponses.size(), "the waiting request took the freed slot");
    }

    @Test
    void aCancelledWaitingRequestNeverReachesTheRing() {
        for (long i = 0; i < ring.size(); i++) {
            client.request(i);
        }
        Promise<Long> withdrawn = client.request(-5L);
        withdrawn.cancel();
        deferredServer.poll();
        handlerResponses.get(0).resolve(1L);

        client.poll();
        deferredServer.poll();

        assertTrue(withdrawn.isCancelled());
        assertEquals(ring.size(), handlerResponses.size());
    }

    @Test
    void aFailingHandlerIsAnsweredWithTheFailureResponse() {
        RingServer<Long, Long> server = new RingServer<>(ring.back(), LongCodec.INSTANCE,
                request -> Promise.rejected(new IllegalStateException("disk on fire")),
                (request, failure) -> 999L, () -> { });
        Promise<Long> answer = client.request(1L);
        server.poll();
        client.poll();
        assertEquals(999L, answer.value());
    }

    @Test
    void aResponseTheCodecCannotWriteIsAnsweredWithTheFailureResponse() {
        RingServer<Long, Long> server = new RingServer<>(ring.back(), new LongCodec() {
            @Override
            public void writeResponse(long id, Long response, MemorySegment slot) {
                if (response == 13L) {
                    throw new IllegalArgumentException("unlucky");
                }
                super.writeResponse(id, response, slot);
            }
        }, request -> Promise.of(13L), (request, failure) -> 555L, () -> { });
        Promise<Long> answer = client.request(1L);
        server.poll();
        client.poll();
        assertEquals(555L, answer.value());
    }

    @Test
    void anUnknownResponseIdBreaksTheClientAndRejectsEverythingPending() {
        Promise<Long> inFlight = client.request(1L);
        for (long i = 1; i <= ring.size(); i++) {
            client.request(i);
        }
        Promise<Long> waiting = client.request(99L);
        forgeResponse(0, ring.size() + 3, 5);

        assertEquals(0, client.poll());

        RingBroken broken = assertInstanceOf(RingBroken.class, inFlight.failure());
        assertEquals(RingBroken.Reason.UNKNOWN_ID, broken.reason());
        assertSame(broken, waiting.failure());
        assertSame(broken, client.request(3L).failure());
        assertSame(broken, client.failure().orElseThrow());
    }

    @Test
    void aResponseForAnIdNotInFlightBreaksTheClient() {
        Promise<Long> answer = client.request(1L); // id 0 is in flight, 77 is not
        forgeResponse(0, 77, 5);

        client.poll();

        assertEquals(RingBroken.Reason.UNKNOWN_ID, ((RingBroken) answer.failure()).reason());
    }

    @Test
    void aSecondResponseForTheSameIdBreaksTheClient() {
        Promise<Long> first = client.request(1L);
        Promise<Long> second = client.request(2L);
        forgeResponse(0, 0, 5);
        client.poll();
        forgeResponse(1, 0, 6);

        client.poll();

        assertEquals(5L, first.value());
        assertEquals(RingBroken.Reason.UNKNOWN_ID, ((RingBroken) second.failure()).reason());
    }

    @Test
    void aResponseNamingAnIdReusedButNotYetPublishedInThisPassBreaksTheClient() {
        Promise<Long> first = client.request(1L); // id 0
        Promise<Long> second = client.request(2L); // id 1
        List<Promise<Long>> sentByCallback = new ArrayList<>();
        first.map(value -> sentByCallback.add(client.request(3L))); // reuses id 0 inside the pass
        forgeResponse(0, 0, 5);
        forgeResponse(1, 0, 666); // a second answer for id 0: the back never saw the new request

        client.poll();

        assertEquals(5L, first.value());
        RingBroken broken = assertInstanceOf(RingBroken.class, sentByCallback.getFirst().failure());
        assertEquals(RingBroken.Reason.UNKNOWN_ID, broken.reason());
        assertSame(broken, second.failure());
    }

    @Test
    void aResponseTheCodecRejectsBreaksTheClient() {
        Promise<Long> answer = client.request(1L);
        forgeResponse(0, 0, -1);

        client.poll();

        assertEquals(RingBroken.Reason.MALFORMED_ENTRY, ((RingBroken) answer.failure()).reason());
    }

    @Test
    void aResponseIndexBeyondTheOutstandingRequestsBreaksTheClient() {
        Promise<Long> answer = client.request(1L);
        page.set(ValueLayout.JAVA_INT, SharedRing.RSP_PROD, 2);

        client.poll();

        assertEquals(RingBroken.Reason.INDEX_OVERFLOW, ((RingBroken) answer.failure()).reason());
    }

    @Test
    void aRequestIndexBeyondTheRingBreaksTheServerWithoutThrowing() {
        page.set(ValueLayout.JAVA_INT, SharedRing.REQ_PROD, 1000);

        assertEquals(0, deferredServer.poll());

        assertEquals(RingBroken.Reason.INDEX_OVERFLOW, deferredServer.failure().orElseThrow().reason());
    }

    @Test
    void theResponseIsDecodedFromOneCopySoAPeerRewritingTheSlotMeanwhileChangesNothing() {
        LongCodec racingPeer = new LongCodec() {
            @Override
            public long responseId(MemorySegment copy) {
                // The peer rewrites the shared slot between the id check and the value's decoding.
                page.set(ValueLayout.JAVA_LONG, SharedRing.HEADER_BYTES + 8, 12345L);
                return super.responseId(copy);
            }
        };
        RingClient<Long, Long> front = new RingClient<>(ring.front(), racingPeer, () -> { });
        Promise<Long> answer = front.request(5L);
        doublingServer().poll();

        front.poll();

        assertEquals(10L, answer.value());
    }

    @Test
    void aCodecWhoseEntriesDoNotMatchTheRingIsRefused() {
        SharedRing wider = SharedRing.over(page, 32);
        assertThrows(IllegalArgumentException.class,
                () -> new RingClient<>(wider.front(), LongCodec.INSTANCE, () -> { }));
    }

    /** Writes a response entry at slot {@code index} and publishes rsp_prod = index + 1, as a back would. */
    private void forgeResponse(int index, long id, long value) {
        long slot = SharedRing.HEADER_BYTES + (long) index * 16;
        page.set(ValueLayout.JAVA_LONG, slot, id);
        page.set(ValueLayout.JAVA_LONG, slot + 8, value);
        page.set(ValueLayout.JAVA_INT, SharedRing.RSP_PROD, index + 1);
    }
}
