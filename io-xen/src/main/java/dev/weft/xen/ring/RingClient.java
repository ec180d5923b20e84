package dev.weft.xen.ring;

import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import dev.weft.xen.evtchn.EventChannels;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Optional;

/**
 * Requests as promises over the front half of a shared ring: {@link #request} writes a request
 * into a free slot and returns the promise of its response; {@link #poll()}, called whenever the
 * back's event channel fires (or whenever the caller wants to look), takes the responses that
 * arrived and fulfils their promises, in whatever order the back answered. When every slot is in
 * use a request waits, in order, for a slot to free up; its promise is simply pending meanwhile.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b> (the thread whose promises these are). The back end runs
 * concurrently on another thread or domain; {@code notifyBack} is called on this thread when the
 * back asked to be woken, and should notify its event channel.
 *
 * <p>Ids are slot-table indices below the ring's size: each request in flight holds one, and a
 * response is matched by the id it carries. A response whose id is not in flight, an index the
 * back could not have produced, or an entry the codec rejects breaks the client with {@link
 * RingBroken}: every request in flight or waiting is rejected with it, later requests fail with it
 * at once, and {@link #poll()} returns normally (nothing escapes into the loop). Cancelling a
 * waiting request withdraws it; cancelling one in flight only drops its response when it comes.
 *
 * <p>A codec may say that the slots after a response belong to it ({@link
 * RingCodec#nextSlotFollows}: netif's extra-info slots). Such a slot carries no id; as in netif,
 * where the back answers RX requests in ring order, it answers the request sent in its own ring
 * position, which is fulfilled with {@link RingCodec#readFollowing}, so the front can post that
 * request's buffer again.
 *
 * @param <Req> request values
 * @param <Rsp> response values
 */
public final class RingClient<Req, Rsp> {
    private final FrontRing ring;
    private final RingCodec<Req, Rsp> codec;
    private final Runnable notifyBack;
    private final MemorySegment copy;
    /** In-flight requests' resolvers, by id; null where the id is free. */
    private final Resolver<Rsp>[] inFlight;
    /** A stack of free ids. */
    private final int[] freeIds;
    private int freeCount;
    /**
     * Ids sent during a poll and not yet pushed: a freed id is reused at once by a response's
     * callback, so "in flight" alone would accept a forged second response naming it.
     */
    private final boolean[] unpublished;
    /** The ids marked in {@link #unpublished}, to clear them after the push. */
    private final int[] unpublishedIds;
    private int unpublishedCount;
    private final ArrayDeque<Waiting<Req, Rsp>> waiting = new ArrayDeque<>();
    /**
     * The id sent in each ring position, by {@link #produced} modulo the size: a following slot
     * answers the request of its own position. An entry is overwritten only once its position's
     * response is consumed (the ring never holds more than its size outstanding).
     */
    private final int[] idAtPosition;
    /** Requests produced and slots consumed, counted from the ring's start (u32 wrap-around). */
    private int produced;
    private int consumedSlots;
    /** The codec said the next slot follows the one just taken. */
    private boolean nextFollows;
    private boolean polling;
    /** The last poll used up its turn with responses left in the ring (and the event not re-armed). */
    private boolean moreToDo;
    private RingBroken failure;

    private record Waiting<Req, Rsp>(Req request, Resolver<Rsp> resolver) {}

    /**
     * A client on {@code ring}, whose entries {@code codec} reads and writes, calling
     * {@code notifyBack} when the back must be woken.
     */
    @SuppressWarnings("unchecked")
    public RingClient(FrontRing ring, RingCodec<Req, Rsp> codec, Runnable notifyBack) {
        this.ring = Objects.requireNonNull(ring, "ring");
        this.codec = Objects.requireNonNull(codec, "codec");
        if (codec.entrySize() != ring.entrySize()) {
            throw new IllegalArgumentException("the codec's entries are " + codec.entrySize()
                    + " bytes but the ring's are " + ring.entrySize());
        }
        this.notifyBack = Objects.requireNonNull(notifyBack, "notifyBack");
        int size = ring.size();
        this.copy = SharedRing.privateEntry(codec.entrySize());
        this.inFlight = (Resolver<Rsp>[]) new Resolver<?>[size];
        this.freeIds = new int[size];
        for (int id = 0; id < size; id++) {
            freeIds[id] = size - 1 - id;
        }
        this.freeCount = size;
        this.unpublished = new boolean[size];
        this.unpublishedIds = new int[size];
        this.idAtPosition = new int[size];
    }

    /**
     * Sends {@code request} and returns the promise of its response. If no slot is free the
     * request waits for one, behind earlier waiting requests. Requests made by callbacks during a
     * {@link #poll()} are published together at the end of its pass, with at most one
     * notification. The promise is rejected with the codec's exception if the request cannot be
     * encoded, and with {@link RingBroken} if the ring breaks first. Cancelable while it waits.
     */
    public Promise<Rsp> request(Req request) {
        if (failure != null) {
            return Promise.rejected(failure);
        }
        Resolver<Rsp> resolver = Promise.task();
        if (freeCount > 0 && waiting.isEmpty()) {
            send(request, resolver);
            if (!polling) { // inside a poll (a response's callback) the pass pushes once for all
                push();
            }
        } else {
            waiting.add(new Waiting<>(request, resolver));
        }
        return resolver.promise();
    }

    /**
     * Takes the responses that have arrived, at most {@link FrontRing#size()} of them, fulfilling
     * their promises, sends waiting requests into the slots that freed up, and, if it took
     * everything, re-arms the event before returning; returns the number of responses that
     * fulfilled a request. A back that answers as fast as the callbacks ask (netback filling each
     * RX page as soon as it is posted again) cannot hold the loop: a call that used up its turn
     * leaves the rest for the next call and says so ({@link #hasMoreToDo()}; {@link
     * #pollOnEvents} then polls again on the loop's next turn, since the back owes no event for
     * responses already in the ring). A broken ring rejects everything outstanding and returns; a
     * call from inside a promise callback of an ongoing poll returns 0 (the outer poll goes on).
     */
    public int poll() {
        if (failure != null || polling) {
            return 0;
        }
        polling = true;
        moreToDo = false;
        int taken = 0;
        int consumed = 0;
        try {
            do {
                int arrived = ring.unconsumedResponses();
                int now = Math.min(arrived, ring.size() - consumed);
                moreToDo = now < arrived;
                consumed += now;
                taken += takeResponses(now);
                sendWaiting();
                push();
            } while (failure == null && !moreToDo && ring.finalCheckForResponses());
        } catch (RingBroken broken) {
            breakWith(broken);
        } finally {
            polling = false;
        }
        return taken;
    }

    /**
     * Calls {@link #poll()} now and after every event on {@code port} of {@code channels} (the
     * event channel the back notifies), until the ring breaks (the promise is then rejected with
     * the {@link RingBroken}) or the returned promise is cancelled. Level-style: an event that
     * arrives during a poll makes the next wait return at once, so none is lost.
     */
    public Promise<Void> pollOnEvents(EventChannels channels, int port) {
        return RingEvents.drive(channels, port, this::poll, this::hasMoreToDo, () -> failure);
    }

    /** Whether the last {@link #poll()} used up its turn and left responses in the ring. */
    public boolean hasMoreToDo() {
        return moreToDo && failure == null;
    }

    /** Requests sent and not yet answered. */
    public int inFlight() {
        return inFlight.length - freeCount;
    }

    /** Requests waiting for a free slot. */
    public int waiting() {
        return waiting.size();
    }

    /** Why the client is broken, or empty while it works. */
    public Optional<RingBroken> failure() {
        return Optional.ofNullable(failure);
    }

    /** Takes up to {@code count} responses; returns how many fulfilled their promises. */
    private int takeResponses(int count) {
        int fulfilled = 0;
        for (int i = 0; i < count && failure == null; i++) {
            ring.takeResponse(copy);
            int position = consumedSlots++;
            boolean following = nextFollows;
            nextFollows = codec.nextSlotFollows(copy, following);
            if (fulfil(following, position)) {
                fulfilled++;
            }
        }
        return fulfilled;
    }

    /**
     * Validates and decodes the copied slot and fulfils its promise, or breaks the ring: a
     * response names its request by id; a following slot answers the request sent in its own
     * {@code position}.
     */
    private boolean fulfil(boolean following, int position) {
        String what = following ? "the slot following a response in position " + Integer.toUnsignedString(position)
                : "a response";
        long claimed;
        Rsp response;
        try {
            claimed = following ? idAtPosition[position & (inFlight.length - 1)] : codec.responseId(copy);
            // An id sent during this pass is not published yet, so the back cannot have seen it:
            // a response naming it is forged, even though a request now holds the id.
            if (claimed < 0 || claimed >= inFlight.length || inFlight[(int) claimed] == null
                    || unpublished[(int) claimed]) {
                breakWith(new RingBroken(RingBroken.Reason.UNKNOWN_ID, "front ring: " + what + " answers id "
                        + claimed + ", which has no request in flight"));
                return false;
            }
            response = following ? codec.readFollowing(copy) : codec.readResponse(copy);
        } catch (RuntimeException rejected) {
            breakWith(new RingBroken(RingBroken.Reason.MALFORMED_ENTRY, "front ring: the codec rejected " + what
                    + ": " + rejected.getMessage(), rejected));
            return false;
        }
        return resolve((int) claimed, response);
    }

    private boolean resolve(int id, Rsp response) {
        Resolver<Rsp> resolver = inFlight[id];
        inFlight[id] = null;
        freeIds[freeCount++] = id;
        resolver.resolve(response); // its callbacks may send requests: our state is consistent here
        return true;
    }

    private void sendWaiting() {
        while (freeCount > 0 && !waiting.isEmpty() && failure == null) {
            Waiting<Req, Rsp> next = waiting.poll();
            if (next.resolver().promise().isPending()) { // a cancelled waiter is withdrawn
                send(next.request(), next.resolver());
            }
        }
    }

    /** Encodes one request into the next slot, or rejects its promise if it cannot be encoded. */
    private void send(Req request, Resolver<Rsp> resolver) {
        int id = freeIds[--freeCount];
        try {
            codec.writeRequest(id, request, ring.requestSlot());
        } catch (RuntimeException unencodable) {
            freeCount++;
            resolver.reject(unencodable);
            return;
        }
        inFlight[id] = resolver;
        idAtPosition[produced++ & (inFlight.length - 1)] = id;
        ring.produceRequest();
        if (polling) {
            unpublished[id] = true;
            unpublishedIds[unpublishedCount++] = id;
        }
    }

    /** Publishes the requests produced since the last push, notifying the back if it asked. */
    private void push() {
        if (failure == null && ring.unpushedRequests() > 0 && ring.pushRequestsAndCheckNotify()) {
            notifyBack.run();
        }
        while (unpublishedCount > 0) { // published now: the back may answer them from here on
            unpublished[unpublishedIds[--unpublishedCount]] = false;
        }
    }

    private void breakWith(RingBroken broken) {
        if (failure != null) {
            return;
        }
        failure = broken;
        for (int id = 0; id < inFlight.length; id++) {
            Resolver<Rsp> resolver = inFlight[id];
            inFlight[id] = null;
            if (resolver != null) {
                resolver.reject(broken);
            }
        }
        Waiting<Req, Rsp> next;
        while ((next = waiting.poll()) != null) {
            next.resolver().reject(broken);
        }
    }
}
