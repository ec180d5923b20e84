package dev.weft.xen.store;

import dev.weft.loop.device.Flow;
import dev.weft.loop.device.Time;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import dev.weft.promise.Stream;
import dev.weft.promise.StreamPush;
import java.io.EOFException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A xenstore client over any {@link Flow}: xenstored's unix socket, {@code /dev/xen/xenbus}, the
 * shared ring page of a guest, or an in-memory pipe to the model daemon.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b>, the loop of the flow; every promise it returns belongs
 * to that loop.
 *
 * <h2>Implementation notes</h2>
 *
 * <p><b>Requests.</b> Each request gets a fresh req_id (a u32 counter that skips 0 and ids still
 * in use) and an entry in {@code outstanding}, keyed by that id, before its bytes are written.
 * Replies are matched by the id alone, so they may come back in any order (xenstored answers in
 * order, but a daemon is free not to, and the ring transports do not care). A reply whose id is
 * not outstanding, or whose type is neither the request's nor {@code XS_ERROR}, means the peer
 * and we disagree about the conversation: that is a protocol violation and breaks the
 * connection, as does any header claiming more than 4096 bytes ({@link MessageReader} checks
 * that before allocating) and any malformed reply payload ({@link Replies}). A request the user
 * cancels keeps its entry until its reply comes: the id must not be reused while the daemon may
 * still answer it. A cancelled XS_WATCH or XS_TRANSACTION_START that the daemon then carries out
 * is taken back (XS_UNWATCH, an abort) when its reply comes, so the daemon holds nothing for a
 * caller that gave up.
 *
 * <p><b>Reading.</b> One read is always pending on the flow ({@link MessageReader#readFrom}, a
 * flatMap tail call, so it runs in constant memory); the reader hands out whole messages. A
 * watch event is routed by its token; any other message resolves its request. A reply is
 * decoded strictly for its request's type before the request's promise is resolved: what the
 * user sees was checked, and what fails the check breaks the connection instead.
 *
 * <p><b>Watches.</b> The token is the key: {@code watches} maps each token to the push side of
 * its stream, registered before XS_WATCH goes out, since xenstored sends the first event right
 * after the OK and the event must find its stream. An event for a token not registered (a watch
 * just removed, whose events were in flight) is dropped and counted; it is not a violation. The
 * daemon may fire spuriously; the stream passes such events on and readers re-read state.
 *
 * <p><b>Transactions.</b> {@link #transaction} starts one, runs the body with a {@link
 * Transaction} view (same requests, with the tx_id; {@link StoreView} holds the node operations
 * once for both), then commits. A commit answered EAGAIN (or a
 * body that failed with EAGAIN: a daemon may report a conflict early) means another change won;
 * the whole body runs again after a random delay growing with each attempt (jitter spreads
 * competing clients apart), at most {@link Config#transactionAttempts} times. A body that fails
 * otherwise aborts the transaction and its failure is the result.
 *
 * <p><b>Failure.</b> The first of: {@link #close()}, end of stream, a transport error, a protocol
 * violation, becomes the client's {@link #failure()}; every outstanding request is rejected with
 * it (close: ClosedChannelException; end of stream: EOFException), every later request too,
 * every watch stream ends, and the flow is closed.
 */
public final class XenStore extends StoreView {

    /**
     * How a client behaves. Immutable.
     *
     * @param home the domain's home path that relative paths are resolved against, or null to
     *     send relative paths unchanged and let the daemon resolve them
     * @param transactionAttempts how many times {@link #transaction} runs a body that keeps
     *     conflicting (at least 1)
     * @param maxBackoff the longest pause before a retry (the pause is random, up to the
     *     smaller of this and 1 ms times 2 to the attempt)
     */
    public record Config(String home, int transactionAttempts, Duration maxBackoff) {
        /** No home path, 10 attempts, at most 50 ms between them. */
        public static final Config DEFAULT = new Config(null, 10, Duration.ofMillis(50));

        /** Checks the values. */
        public Config {
            if (home != null && (!home.startsWith("/") || !StorePath.isValid(home))) {
                throw new IllegalArgumentException("home \"" + home + "\" is not a valid absolute xenstore path");
            }
            if (transactionAttempts < 1) {
                throw new IllegalArgumentException("transactionAttempts must be at least 1, was " + transactionAttempts);
            }
            Objects.requireNonNull(maxBackoff, "maxBackoff");
        }

        /** This configuration with {@code home} as the home path. */
        public Config withHome(String home) {
            return new Config(home, transactionAttempts, maxBackoff);
        }

        /** This configuration with another retry bound. */
        public Config withTransactionAttempts(int attempts) {
            return new Config(home, attempts, maxBackoff);
        }
    }

    /** A request waiting for its reply. */
    private record Outstanding(MessageType type, String context, Resolver<Message> reply) {}

    private final Flow flow;
    private final Time time;
    private final Config config;
    private final MessageReader reader = new MessageReader();
    private final Map<Integer, Outstanding> outstanding = new HashMap<>();
    private final Map<String, StreamPush<WatchEvent>> watches = new LinkedHashMap<>();
    private final SplittableRandom jitter = new SplittableRandom();
    private int lastRequestId;
    private int lastToken;
    private long droppedEvents;
    private Throwable failure;

    private XenStore(Flow flow, Time time, Config config) {
        this.flow = Objects.requireNonNull(flow, "flow");
        this.time = Objects.requireNonNull(time, "time");
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * A client talking over {@code flow}, which it owns from now on (it reads it and closes it).
     * {@code time} times the pauses between transaction attempts (a Loop is a Time).
     */
    public static XenStore over(Flow flow, Time time, Config config) {
        XenStore client = new XenStore(flow, time, config);
        Promise.async(client::pump);
        return client;
    }

    /** A client with {@link Config#DEFAULT}. */
    public static XenStore over(Flow flow, Time time) {
        return over(flow, time, Config.DEFAULT);
    }

    /** The home path relative paths resolve against, or null. */
    public String home() {
        return config.home();
    }

    /** The time this client was made with (its loop's): what drivers on it time their waits with. */
    public Time time() {
        return time;
    }

    /** Why the client stopped working (closed, end of stream, protocol violation), or null. */
    public Throwable failure() {
        return failure;
    }

    /** How many requests wait for a reply. */
    public int outstandingRequests() {
        return outstanding.size();
    }

    /** How many watch events arrived for tokens not registered (removed watches) and were dropped. */
    public long droppedWatchEvents() {
        return droppedEvents;
    }

    @Override
    XenStore client() {
        return this;
    }

    @Override
    int transactionId() {
        return 0;
    }

    @Override
    Promise<Message> call(MessageType type, byte[] payload, String context) {
        return send(type, 0, payload, context);
    }

    // ---------------------------------------------------------------- any request

    /**
     * Sends any request, of any type (even {@link MessageType#INVALID}), and fulfils with the
     * reply. An XS_ERROR reply rejects with {@link XenStoreException}; a reply of another type
     * than the request's is a protocol violation.
     */
    public Promise<Message> request(MessageType type, int transactionId, byte[] payload) {
        return send(type, transactionId, payload, type.name());
    }

    Promise<Message> send(MessageType type, int transactionId, byte[] payload, String context) {
        if (failure != null) {
            return Promise.rejected(failure);
        }
        Message message;
        int id = nextRequestId();
        try {
            message = Message.of(type, id, transactionId, payload);
        } catch (XenStoreException e) {
            return Promise.rejected(new XenStoreException(XsError.E2BIG, context + " (" + payload.length
                    + "-byte payload, the limit is " + Message.PAYLOAD_MAX + ")"));
        }
        Resolver<Message> reply = Promise.task();
        outstanding.put(id, new Outstanding(type, context, reply));
        flow.write(MemorySegment.ofArray(message.toBytes())).onFailure(this::fail);
        return reply.promise();
    }

    private int nextRequestId() {
        do {
            lastRequestId++;
        } while (lastRequestId == 0 || outstanding.containsKey(lastRequestId));
        return lastRequestId;
    }

    // ---------------------------------------------------------------- daemon and domain requests

    /** The home path of domain {@code domid} (XS_GET_DOMAIN_PATH). */
    public Promise<String> getDomainPath(int domid) {
        String context = "GET_DOMAIN_PATH " + domid;
        return call(MessageType.GET_DOMAIN_PATH, Message.strings(Integer.toString(domid)), context)
                .map(reply -> decode(reply, r -> Replies.string(r, context)));
    }

    /**
     * Tells the daemon about a domain: the frame of its xenstore ring page and its event channel
     * (XS_INTRODUCE; dom0 only). Watches on {@code @introduceDomain} fire.
     */
    public Promise<Void> introduce(int domid, long frame, int port) {
        return ok(MessageType.INTRODUCE, Message.strings(Integer.toString(domid), Long.toUnsignedString(frame),
                Integer.toString(port)), "INTRODUCE " + domid);
    }

    /** Makes the daemon forget a domain (XS_RELEASE; dom0 only). Watches on {@code @releaseDomain} fire. */
    public Promise<Void> release(int domid) {
        return ok(MessageType.RELEASE, Message.strings(Integer.toString(domid)), "RELEASE " + domid);
    }

    /** Whether the daemon knows domain {@code domid} (XS_IS_DOMAIN_INTRODUCED). */
    public Promise<Boolean> isDomainIntroduced(int domid) {
        String context = "IS_DOMAIN_INTRODUCED " + domid;
        return call(MessageType.IS_DOMAIN_INTRODUCED, Message.strings(Integer.toString(domid)), context)
                .map(reply -> decode(reply, r -> Replies.bool(r, context)));
    }

    /** Clears a domain's shutdown state after a resume (XS_RESUME; dom0 only). */
    public Promise<Void> resume(int domid) {
        return ok(MessageType.RESUME, Message.strings(Integer.toString(domid)), "RESUME " + domid);
    }

    /** Lets {@code domid} act with {@code target}'s permissions (XS_SET_TARGET; dom0 only). */
    public Promise<Void> setTarget(int domid, int target) {
        return ok(MessageType.SET_TARGET, Message.strings(Integer.toString(domid), Integer.toString(target)),
                "SET_TARGET " + domid + " " + target);
    }

    /** A privileged command to the daemon (XS_CONTROL); fulfilled with its textual answer. */
    public Promise<String> control(List<String> command) {
        return call(MessageType.CONTROL, Message.strings(command), "CONTROL " + String.join(" ", command))
                .map(Message::text);
    }

    /**
     * Removes every watch and transaction of this connection on the daemon's side
     * (XS_RESET_WATCHES); every watch stream ends.
     */
    public Promise<Void> resetWatches() {
        closeWatches();
        return ok(MessageType.RESET_WATCHES, Message.strings(""), "RESET_WATCHES");
    }

    // ---------------------------------------------------------------- watches

    /** Watches {@code path} with a token made up by the client. See {@link #watch(String, String)}. */
    public Promise<Watch> watch(String path) {
        String token;
        do {
            token = "weft-" + Integer.toUnsignedString(++lastToken);
        } while (watches.containsKey(token));
        return watch(path, token);
    }

    /**
     * Registers a watch on {@code path} (or a special path such as {@code @introduceDomain})
     * under {@code token} (XS_WATCH). Fulfilled once the daemon acknowledged; the first event
     * follows. Rejected with EEXIST, without asking the daemon, if this client already has a
     * watch with that token: tokens route events, so they must be unique here.
     */
    public Promise<Watch> watch(String path, String token) {
        if (watches.containsKey(token)) {
            return Promise.rejected(new XenStoreException(XsError.EEXIST, "WATCH " + path + ": token " + token
                    + " is in use by another watch of this client"));
        }
        if (StorePath.isSpecial(path)) {
            return register(path, token);
        }
        return withPath(path, absolute -> register(absolute, token));
    }

    private Promise<Watch> register(String path, String token) {
        String context = "WATCH " + path + " " + token;
        Stream.WithPush<WatchEvent> events = Stream.create();
        watches.put(token, events.push());
        return undoneIfAbandoned(ok(MessageType.WATCH, Message.strings(path, token), context)
                .map(ok -> new Watch(this, path, token, events.stream()))
                .recover(failure -> {
                    removeWatch(token, events.push());
                    return Promise.rejected(failure);
                }), abandoned -> abandoned.unwatch().onFailure(ignored -> {
                    // the connection failed meanwhile: the daemon dropped the watch with it
                }));
    }

    /**
     * {@code work}, a request that makes the daemon hold something for this connection (a watch,
     * a transaction), as a promise the caller may cancel. Cancelling it does not withdraw the
     * request, which the daemon may already have carried out, and the reply would then be
     * dropped with its id; so the reply is still awaited, and if it is a success that came after
     * the caller gave up, {@code undo} takes back what the daemon holds (a watch or transaction
     * left at the daemon counts against the connection's quota for as long as it lives).
     */
    private static <T> Promise<T> undoneIfAbandoned(Promise<T> work, Consumer<? super T> undo) {
        Resolver<T> result = Promise.task();
        work.onAny(value -> {
            if (result.promise().isPending()) {
                result.resolve(value);
            } else {
                undo.accept(value);
            }
        }, failure -> {
            if (result.promise().isPending()) {
                result.reject(failure);
            }
        });
        return result.promise();
    }

    Promise<Void> unwatch(Watch watch) {
        StreamPush<WatchEvent> push = watches.get(watch.token());
        removeWatch(watch.token(), push);
        return ok(MessageType.UNWATCH, Message.strings(watch.path(), watch.token()),
                "UNWATCH " + watch.path() + " " + watch.token());
    }

    private void removeWatch(String token, StreamPush<WatchEvent> push) {
        if (push != null && watches.get(token) == push) {
            watches.remove(token);
            push.close();
        }
    }

    private void closeWatches() {
        List<StreamPush<WatchEvent>> pushes = new ArrayList<>(watches.values());
        watches.clear();
        for (StreamPush<WatchEvent> push : pushes) {
            push.close();
        }
    }

    // ---------------------------------------------------------------- transactions

    /**
     * Runs {@code body} in a transaction and commits it; see the class notes for retries. Fulfilled
     * with the body's value once committed; rejected with the body's failure (after aborting), or
     * with EAGAIN once every attempt conflicted.
     */
    public <T> Promise<T> transaction(Function<? super Transaction, ? extends Promise<T>> body) {
        return attempt(body, 1);
    }

    private <T> Promise<T> attempt(Function<? super Transaction, ? extends Promise<T>> body, int attempt) {
        return undoneIfAbandoned(send(MessageType.TRANSACTION_START, 0, Message.strings(""), "TRANSACTION_START")
                .map(reply -> new Transaction(this, decode(reply, r -> Replies.transactionId(r, "TRANSACTION_START")), attempt)),
                abandoned -> abandoned.end(false).onFailure(ignored -> {
                    // the connection failed meanwhile: the daemon dropped the transaction with it
                }))
                .flatMap(tx -> Promise.<T>apply(() -> body.apply(tx)).tryBind(
                        value -> tx.end(true).<T>map(ok -> value)
                                .recover(failure -> retryOrFail(body, attempt, failure)),
                        failure -> tx.end(false).<T>tryBind(
                                aborted -> retryOrFail(body, attempt, failure),
                                abortFailure -> {
                                    // The connection's own failure is shared by every request: never mutate it.
                                    if (abortFailure != failure && failure != this.failure) {
                                        failure.addSuppressed(abortFailure);
                                    }
                                    return Promise.rejected(failure);
                                })));
    }

    private <T> Promise<T> retryOrFail(Function<? super Transaction, ? extends Promise<T>> body, int attempt,
            Throwable failure) {
        boolean conflict = failure instanceof XenStoreException e && e.error() == XsError.EAGAIN;
        if (!conflict) {
            return Promise.rejected(failure);
        }
        if (attempt >= config.transactionAttempts()) {
            return Promise.rejected(new XenStoreException(XsError.EAGAIN, "transaction still conflicting after "
                    + attempt + " attempts"));
        }
        return time.sleep(backoff(attempt)).flatMap(v -> attempt(body, attempt + 1));
    }

    private Duration backoff(int attempt) {
        long ceiling = Math.min(config.maxBackoff().toNanos(), 1_000_000L << Math.min(attempt, 20));
        return Duration.ofNanos(ceiling <= 0 ? 0 : jitter.nextLong(ceiling + 1));
    }

    // ---------------------------------------------------------------- reading replies

    private Promise<Void> pump() {
        return reader.readFrom(flow, this::dispatch, () -> failure != null).tryBind(end -> {
            fail(new EOFException("xenstore: the daemon closed the connection"
                    + (reader.inMessage() ? " in the middle of a message" : "")));
            return Promise.unit();
        }, failure -> {
            fail(failure);
            return Promise.unit();
        });
    }

    private void dispatch(Message message) {
        if (failure != null) {
            return;
        }
        if (message.type() == MessageType.WATCH_EVENT.number()) {
            deliver(Replies.watchEvent(message));
            return;
        }
        Outstanding request = outstanding.remove(message.requestId());
        if (request == null) {
            throw new XenStoreProtocolException(message + " answers no outstanding request");
        }
        if (message.type() == MessageType.ERROR.number()) {
            XsError error;
            try {
                error = Replies.error(message, request.context());
            } catch (XenStoreProtocolException e) {
                request.reply().reject(e);
                throw e;
            }
            request.reply().reject(new XenStoreException(error, request.context()));
        } else if (message.type() != request.type().number()) {
            XenStoreProtocolException e = new XenStoreProtocolException(message + " answers a " + request.type()
                    + " request (" + request.context() + ")");
            request.reply().reject(e);
            throw e;
        } else {
            request.reply().resolve(message);
        }
    }

    /**
     * Decodes a reply with {@code decoder}; a reply that fails the check breaks the connection
     * (and the exception rejects the request that got it).
     */
    <T> T decode(Message reply, Function<Message, T> decoder) {
        try {
            return decoder.apply(reply);
        } catch (XenStoreProtocolException e) {
            fail(e);
            throw e;
        }
    }

    private void deliver(WatchEvent event) {
        StreamPush<WatchEvent> push = watches.get(event.token());
        if (push == null) {
            droppedEvents++;
        } else {
            push.push(event);
        }
    }

    // ---------------------------------------------------------------- failure and close

    private void fail(Throwable cause) {
        if (failure != null) {
            return;
        }
        failure = cause;
        List<Outstanding> waiting = new ArrayList<>(outstanding.values());
        outstanding.clear();
        for (Outstanding request : waiting) {
            if (request.reply().promise().isPending()) {
                request.reply().reject(cause);
            }
        }
        closeWatches();
        flow.close();
    }

    /**
     * Closes the client and its flow: outstanding and later requests are rejected with
     * ClosedChannelException, watch streams end. Idempotent.
     */
    public Promise<Void> close() {
        fail(new ClosedChannelException());
        return flow.close();
    }

    @Override
    public String toString() {
        return "XenStore[" + (home() == null ? "no home" : home()) + ", " + outstanding.size() + " outstanding, "
                + watches.size() + " watches" + (failure == null ? "" : ", failed: " + failure) + "]";
    }
}
