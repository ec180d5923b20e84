package dev.weft.xen.ring;

import dev.weft.promise.Promise;
import dev.weft.xen.evtchn.EventChannels;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Serves the back half of a shared ring with promises: {@link #poll()}, called whenever the
 * front's event channel fires, takes every request that arrived and hands it to the handler; each
 * handler's response goes into the ring when its promise resolves, in completion order (the front
 * matches responses by id). Responses that complete during a poll are pushed together at the end
 * of the pass, one event for the batch; later ones are pushed as they complete.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b> (the thread whose promises these are). The front runs
 * concurrently on another thread or domain; {@code notifyFront} is called on this thread when the
 * front asked to be woken, and should notify its event channel.
 *
 * <p>A handler that throws, whose promise rejects, or whose response the codec cannot write is
 * answered with {@code failureResponse}'s response, so the front always gets one response per
 * request. A request index the front could
 * not have produced, or an entry the codec rejects, breaks the server with {@link RingBroken}:
 * {@link #poll()} returns normally, takes nothing more, and responses still being computed are
 * dropped. So does {@link #close()}, which the back end calls before it unmaps the ring: a
 * handler that completes later (its I/O was under way) then touches neither the ring nor the
 * channel.
 *
 * @param <Req> request values
 * @param <Rsp> response values
 */
public final class RingServer<Req, Rsp> {
    private final BackRing ring;
    private final RingCodec<Req, Rsp> codec;
    private final Function<? super Req, ? extends Promise<? extends Rsp>> handler;
    private final BiFunction<? super Req, ? super Throwable, ? extends Rsp> failureResponse;
    private final Runnable notifyFront;
    private final MemorySegment copy;
    private int inProgress;
    private boolean polling;
    private boolean closed;
    /** The last poll used up its turn with requests left in the ring (and the event not re-armed). */
    private boolean moreToDo;
    private RingBroken failure;

    /**
     * A server on {@code ring}, whose entries {@code codec} reads and writes, answering each
     * request with {@code handler}'s response, or with {@code failureResponse}'s (which must not
     * throw) if the handler fails, and calling {@code notifyFront} when the front must be woken.
     */
    public RingServer(BackRing ring, RingCodec<Req, Rsp> codec,
                      Function<? super Req, ? extends Promise<? extends Rsp>> handler,
                      BiFunction<? super Req, ? super Throwable, ? extends Rsp> failureResponse,
                      Runnable notifyFront) {
        this.ring = Objects.requireNonNull(ring, "ring");
        this.codec = Objects.requireNonNull(codec, "codec");
        if (codec.entrySize() != ring.entrySize()) {
            throw new IllegalArgumentException("the codec's entries are " + codec.entrySize()
                    + " bytes but the ring's are " + ring.entrySize());
        }
        this.handler = Objects.requireNonNull(handler, "handler");
        this.failureResponse = Objects.requireNonNull(failureResponse, "failureResponse");
        this.notifyFront = Objects.requireNonNull(notifyFront, "notifyFront");
        this.copy = SharedRing.privateEntry(codec.entrySize());
    }

    /**
     * Takes the requests that have arrived, at most {@link BackRing#size()} of them, and starts
     * their handlers, pushes the responses that are ready, and, if it took everything, re-arms the
     * event before returning; returns the number of requests taken. A front that sends as fast as
     * this end serves cannot hold the loop: a call that used up its turn leaves the rest for the
     * next call and says so ({@link #hasMoreToDo()}; {@link #pollOnEvents} then polls again on the
     * loop's next turn, since the front owes no event for requests already in the ring). A call
     * from inside a handler of an ongoing poll returns 0.
     */
    public int poll() {
        if (failure != null || closed || polling) {
            return 0;
        }
        polling = true;
        moreToDo = false;
        int taken = 0;
        try {
            do {
                int count = ring.unconsumedRequests();
                for (int i = 0; i < count && failure == null; i++) {
                    if (taken == ring.size()) {
                        moreToDo = true;
                        break;
                    }
                    ring.takeRequest(copy);
                    taken++;
                    dispatch();
                }
                flush();
            } while (failure == null && !moreToDo && ring.finalCheckForRequests());
        } catch (RingBroken broken) {
            failure = broken;
        } finally {
            polling = false;
        }
        return taken;
    }

    /**
     * Calls {@link #poll()} now and after every event on {@code port} of {@code channels} (the
     * event channel the front notifies), until the ring breaks (the promise is then rejected with
     * the {@link RingBroken}) or the returned promise is cancelled. Level-style: an event that
     * arrives during a poll makes the next wait return at once, so none is lost.
     */
    public Promise<Void> pollOnEvents(EventChannels channels, int port) {
        return RingEvents.drive(channels, port, this::poll, this::hasMoreToDo, () -> failure);
    }

    /** Whether the last {@link #poll()} used up its turn and left requests in the ring. */
    public boolean hasMoreToDo() {
        return moreToDo && failure == null && !closed;
    }

    /**
     * Stops serving for good, before the ring's memory is unmapped or its channel unbound: {@link
     * #poll()} takes nothing more, and responses of handlers still running are dropped when they
     * complete (their front end is gone with the ring). Idempotent.
     */
    public void close() {
        closed = true;
    }

    /** Requests taken whose response is not yet in the ring. */
    public int inProgress() {
        return inProgress;
    }

    /** Why the server is broken, or empty while it works. */
    public Optional<RingBroken> failure() {
        return Optional.ofNullable(failure);
    }

    private void dispatch() {
        long id;
        Req request;
        try {
            id = codec.requestId(copy);
            request = codec.readRequest(copy);
        } catch (RuntimeException rejected) {
            failure = new RingBroken(RingBroken.Reason.MALFORMED_ENTRY, "back ring: the codec rejected a request: "
                    + rejected.getMessage(), rejected);
            return;
        }
        inProgress++;
        Promise<? extends Rsp> response = Promise.apply(() -> handler.apply(request));
        if (response.isFulfilled()) { // the common case of a synchronous handler: no callbacks to allocate
            respond(id, request, response.value());
        } else {
            response.onAny(value -> respond(id, request, value),
                    error -> respond(id, request, failureResponse.apply(request, error)));
        }
    }

    private void respond(long id, Req request, Rsp response) {
        inProgress--;
        if (failure != null || closed) {
            return;
        }
        MemorySegment slot = ring.responseSlot();
        try {
            codec.writeResponse(id, response, slot);
        } catch (RuntimeException unencodable) { // the front still gets one response for its request
            codec.writeResponse(id, failureResponse.apply(request, unencodable), slot);
        }
        ring.produceResponse();
        if (!polling) {
            flush();
        }
    }

    private void flush() {
        if (ring.unpushedResponses() > 0 && ring.pushResponsesAndCheckNotify()) {
            notifyFront.run();
        }
    }
}
