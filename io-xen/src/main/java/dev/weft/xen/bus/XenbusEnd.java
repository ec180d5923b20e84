package dev.weft.xen.bus;

import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import dev.weft.xen.store.Watch;
import dev.weft.xen.store.XenStore;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One end of a xenbus device, frontend or backend: it publishes its own {@link XenbusState} in
 * {@code <path>/state} and follows the other end's through a watch on {@code
 * <otherPath>/state}.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b>, the loop of its {@link XenStore}.
 *
 * <p>The handshake is level-triggered, not edge-triggered: on every watch event (including the
 * one at registration and spurious ones) the end reads the other's state afresh and applies its
 * rules ({@link Frontend#rule}, {@link Backend#rule}) until none applies. Each rule looks only at
 * the two current states, so states the other end skipped, or passed through between two reads,
 * change nothing, and an event with no change does nothing. A state value that is not a strict
 * decimal 0-8 is counted ({@link #malformedStates()}) and read as {@link XenbusState#UNKNOWN}.
 * Rule evaluation is serialised: an event arriving while the driver connects is handled after.
 *
 * <p>A driver hook or xenstore that fails stops the end the way Xen's protocol expects of a device
 * with a fatal error: it publishes Closing, its driver disconnects if it had connected (or, if it
 * was still connecting, as soon as it has), and it publishes Closed, so the other end is not left
 * waiting and releases its side.
 *
 * <p>However it stops (closed, failed, or {@linkplain #abandon abandoned} by its driver) the end
 * removes its watch: a watch left at xenstored counts against the connection's quota and keeps
 * sending events nobody acts on. After a failure or abandonment, {@link #stopped()} is rejected
 * only once xenstored has answered the unwatch (or the connection is gone).
 */
public abstract sealed class XenbusEnd permits Frontend, Backend {
    /**
     * How long io-xen's drivers (Blkfront, Netfront, Blkback, Netback) wait in {@link
     * #close(Duration)} for the other end to close: 5 s, as Linux's xenbus frontends wait for their
     * backend.
     */
    public static final Duration CLOSE_BOUND = Duration.ofSeconds(5);

    /** How many published states {@link #history()} keeps. */
    static final int HISTORY = 64;

    /** What to do next: publish a state, after calling the driver's hook, or stop for good. */
    record Step(XenbusState publish, Hook hook) {
        static final Step STOP = new Step(null, Hook.NONE);

        static Step to(XenbusState state) {
            return new Step(state, Hook.NONE);
        }

        static Step connectThen(XenbusState state) {
            return new Step(state, Hook.CONNECT);
        }

        static Step disconnectThen(XenbusState state) {
            return new Step(state, Hook.DISCONNECT);
        }
    }

    /** One kind of end's rules: what it does when it is in {@code own} and the other end in {@code other}. */
    @FunctionalInterface
    interface Rules {
        /** The step to take, {@link Step#STOP}, or null if no rule applies. */
        Step next(XenbusState own, XenbusState other, boolean shuttingDown);
    }

    /** A driver hook to call before publishing. */
    enum Hook {
        NONE,
        CONNECT,
        DISCONNECT
    }

    private final XenStore store;
    private final String path;
    private final String otherPath;
    private final XenbusDriver driver;
    private final XenbusState initialState;
    private final Rules rules;
    private final ArrayDeque<XenbusState> history = new ArrayDeque<>();
    private final List<Waiter> waiters = new ArrayList<>();
    private final Resolver<Void> stopped = Promise.pending();
    private XenbusState state = XenbusState.UNKNOWN;
    private XenbusState otherState = XenbusState.UNKNOWN;
    private Watch watch;
    /** Why the end is failing, once it is: no rule applies any more, while its watch is removed. */
    private Throwable failing;
    private boolean shuttingDown;
    private boolean reconnectRequested;
    private final List<Resolver<Long>> evaluationWaiters = new ArrayList<>();
    private boolean driverConnected;
    private boolean busy;
    private boolean again;
    private long malformed;
    private long evaluations;

    private record Waiter(XenbusState state, Resolver<Void> resolver) {}

    XenbusEnd(XenStore store, String path, String otherPath, XenbusDriver driver, XenbusState initialState,
              Rules rules) {
        this.store = store;
        this.path = path;
        this.otherPath = otherPath;
        this.driver = driver;
        this.initialState = initialState;
        this.rules = rules;
    }

    /**
     * Reads the other end's directory from {@code <path>/<otherNode>}, makes the end with it and
     * starts it. Fulfilled with the end once started; rejected if the node cannot be read.
     */
    static <E extends XenbusEnd> Promise<E> start(XenStore store, String path, String otherNode,
                                                  Function<String, E> make) {
        return store.read(path + "/" + otherNode).flatMap(otherPath -> {
            E end = make.apply(otherPath);
            return end.start().map(v -> end);
        });
    }

    /** Publishes the initial state, then watches the other end. */
    Promise<Void> start() {
        return publish(initialState)
                .flatMap(v -> store.watch(otherPath + "/state"))
                .map(registered -> {
                    watch = registered;
                    Promise.async(this::followEvents);
                    return null;
                });
    }

    private Promise<Void> followEvents() {
        return watch.events().get().flatMap(event -> {
            if (event.isEmpty()) {
                return Promise.unit();
            }
            kick();
            return followEvents();
        });
    }

    /** Re-evaluates the rules now, or as soon as the evaluation under way ends. */
    private void kick() {
        if (busy) {
            again = true;
            return;
        }
        busy = true;
        again = false;
        Promise.async(() -> readOther().flatMap(other -> {
            otherState = other;
            return advance();
        }).tryBind(v -> {
            evaluations++;
            busy = false;
            wakeEvaluationWaiters(null);
            if (again && !stopped.promise().isRejected()) {
                kick();
            }
            return Promise.unit();
        }, failure -> {
            busy = false;
            wakeEvaluationWaiters(failure);
            fail(failure);
            return Promise.unit();
        }));
    }

    private void wakeEvaluationWaiters(Throwable failure) {
        List<Resolver<Long>> waiting = new ArrayList<>(evaluationWaiters);
        evaluationWaiters.clear();
        for (Resolver<Long> waiter : waiting) {
            if (failure == null) {
                waiter.resolve(evaluations);
            } else {
                waiter.reject(failure);
            }
        }
    }

    /** The other end's state; UNKNOWN while it has published none. */
    private Promise<XenbusState> readOther() {
        return XenbusNodes.readOptional(store, otherPath + "/state", XenbusState.UNKNOWN.toStoreValue())
                .map(this::parse);
    }

    private XenbusState parse(String value) {
        try {
            return XenbusState.parse(value);
        } catch (IllegalArgumentException e) {
            malformed++;
            return XenbusState.UNKNOWN;
        }
    }

    /** Applies rules until none applies (or the end stops). */
    private Promise<Void> advance() {
        if (!stopped.promise().isPending() || failing != null) {
            return Promise.unit();
        }
        if (reconnectRequested) {
            reconnectRequested = false;
            if (state == XenbusState.CONNECTED || state == XenbusState.INITIALISED) {
                return publish(XenbusState.CLOSING).flatMap(v -> advance());
            }
        }
        Step step = rules.next(state, otherState, shuttingDown);
        if (step == null) {
            return Promise.unit();
        }
        if (step == Step.STOP) {
            stop();
            return Promise.unit();
        }
        // A hook under way when the end began failing publishes nothing after it: Closed stays last.
        return hook(step.hook()).flatMap(v -> failing != null ? Promise.unit() : publish(step.publish()))
                .flatMap(v -> advance());
    }

    private Promise<Void> hook(Hook hook) {
        return switch (hook) {
            case NONE -> Promise.unit();
            case CONNECT -> driver.connect(this).flatMap(v -> {
                driverConnected = true;
                // The end began failing while the driver connected (a close bound passed, say): its
                // own disconnect step found nothing connected then, so release what connect took now.
                return failing != null ? hook(Hook.DISCONNECT) : Promise.unit();
            });
            case DISCONNECT -> {
                if (!driverConnected) {
                    yield Promise.unit();
                }
                driverConnected = false;
                yield driver.disconnect(this);
            }
        };
    }

    private Promise<Void> publish(XenbusState next) {
        return store.write(path + "/state", next.toStoreValue()).map(v -> {
            state = next;
            history.addLast(next);
            if (history.size() > HISTORY) {
                history.removeFirst();
            }
            wakeWaiters();
            return null;
        });
    }

    private void wakeWaiters() {
        // Collected first: a woken caller may at once wait for another state.
        List<Waiter> woken = new ArrayList<>();
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter waiter = it.next();
            if (waiter.state() == state) {
                it.remove();
                woken.add(waiter);
            }
        }
        for (Waiter waiter : woken) {
            waiter.resolver().resolve(null);
        }
    }

    private void stop() {
        unwatch();
        stopped.resolve(null);
        failWaiters(new IllegalStateException(this + " stopped"));
    }

    /**
     * Stops the end for {@code failure} (a driver hook or xenstore failed) as a xenbus device that
     * hits a fatal error does: it publishes Closing, lets its driver disconnect if it had connected
     * (so what the connect hook took is released), publishes Closed so the other end can release
     * its side too, removes its watch, and only then rejects {@link #stopped()}. Each step is tried
     * even if the one before failed (xenstore may be what failed).
     */
    private void fail(Throwable failure) {
        failAfter(failure, () -> publishUnlessPast(XenbusState.CLOSING).recover(ignored -> Promise.unit())
                .flatMap(v -> hook(Hook.DISCONNECT)).recover(ignored -> Promise.unit())
                .flatMap(v -> publishUnlessPast(XenbusState.CLOSED)));
    }

    /** Publishes Closing or Closed unless the end has already gone that far. */
    private Promise<Void> publishUnlessPast(XenbusState closing) {
        boolean past = state == XenbusState.CLOSED || state == closing;
        return past ? Promise.unit() : publish(closing);
    }

    /**
     * Stops the end for {@code failure}: at once no rule applies any more; then {@code last} runs
     * (whatever it ends with), the watch is removed, and {@link #stopped()} is rejected.
     */
    private void failAfter(Throwable failure, Supplier<Promise<Void>> last) {
        if (!stopped.promise().isPending() || failing != null) {
            return;
        }
        failing = failure;
        last.get().recover(ignored -> Promise.unit()).flatMap(v -> unwatch()).onTermination(() -> {
            stopped.reject(failure);
            failWaiters(failure);
        });
    }

    /** Removes the watch (its stream ends at once, so {@link #followEvents} ends); fulfilled when done or failed. */
    private Promise<Void> unwatch() {
        if (watch == null) {
            return Promise.unit();
        }
        // The connection may be gone already: the daemon dropped the watch with it.
        return watch.unwatch().recover(ignored -> Promise.unit());
    }

    private void failWaiters(Throwable failure) {
        List<Waiter> left = new ArrayList<>(waiters);
        waiters.clear();
        for (Waiter waiter : left) {
            waiter.resolver().reject(failure);
        }
    }

    // ---------------------------------------------------------------- public

    /** The xenstore client this end talks through. */
    public XenStore store() {
        return store;
    }

    /** This end's directory (where its {@code state} and the driver's keys live). */
    public String path() {
        return path;
    }

    /** The other end's directory. */
    public String otherPath() {
        return otherPath;
    }

    /** The state this end last published. */
    public XenbusState state() {
        return state;
    }

    /** The other end's state as last read. */
    public XenbusState otherState() {
        return otherState;
    }

    /** The states this end published, oldest first (at most the last 64). */
    public List<XenbusState> history() {
        return List.copyOf(history);
    }

    /** How many times the other end's state could not be parsed (it was read as UNKNOWN). */
    public long malformedStates() {
        return malformed;
    }

    /** How many times the rules were evaluated after a watch event (spurious ones included). */
    public long evaluations() {
        return evaluations;
    }

    /**
     * Fulfilled when this end next publishes {@code wanted}, at once if that is its state now.
     * Rejected if the end stops or fails first.
     */
    public Promise<Void> reach(XenbusState wanted) {
        if (state == wanted) {
            return Promise.unit();
        }
        Optional<Throwable> failure = stopped.promise().isRejected()
                ? Optional.of(stopped.promise().failure()) : Optional.empty();
        if (failure.isPresent()) {
            return Promise.rejected(failure.get());
        }
        if (stopped.promise().isFulfilled()) {
            return Promise.rejected(new IllegalStateException(this + " stopped in " + state));
        }
        Resolver<Void> resolver = Promise.pending();
        waiters.add(new Waiter(wanted, resolver));
        return resolver.promise();
    }

    /**
     * Fulfilled once this end has stopped for good (after {@link #close()}); rejected with the
     * failure if xenstore or the driver failed.
     */
    public Promise<Void> stopped() {
        return stopped.promise();
    }

    /**
     * Closes the device for good: Closing, the driver disconnects, Closed, then the end stops
     * (fulfilling {@link #stopped()}).
     */
    public Promise<Void> close() {
        shuttingDown = true;
        kick();
        return stopped.promise();
    }

    /**
     * As {@link #close()}, waiting at most {@code bound} (on the store's {@link XenStore#time()})
     * for the other end: if the end has not stopped by then (a backend that stays Connected never
     * lets a frontend reach Closed), it gives the handshake up as after a fatal error: its driver
     * disconnects if it had connected, it publishes Closed, removes its watch, and {@link
     * #stopped()} is rejected with {@link XenbusCloseTimeoutException}. Linux's frontends give up
     * the same way.
     */
    public Promise<Void> close(Duration bound) {
        Promise<Void> stopping = close();
        if (stopping.isPending()) {
            Promise<Void> timer = store.time().sleep(bound);
            timer.onSuccess(v -> fail(new XenbusCloseTimeoutException(path, otherState, bound)));
            stopping.onTermination(timer::cancel);
        }
        return stopping;
    }

    /**
     * Gives the device up for good, without the closing handshake, because the driver found the
     * other end's values unusable and has already let go of what it held (its disconnect hook is
     * not called): from now on no rule applies; the end publishes Closed, so the other end can
     * release its side, removes its watch, then {@link #stopped()} is rejected with {@code
     * failure}. Does nothing if the end has stopped or is failing already.
     */
    public void abandon(Throwable failure) {
        failAfter(failure, () -> publish(XenbusState.CLOSED));
    }

    /**
     * Closes the device and lets it connect again: if connected, publishes Closing (once the
     * evaluation under way, if any, ends), then goes through Closed and the handshake again with
     * the other end.
     */
    public void reconnect() {
        reconnectRequested = true;
        kick();
    }

    /**
     * Fulfilled with {@link #evaluations()} when the evaluation of the rules under way ends, or if
     * none is under way, the next one (the handling of the next watch event, spurious or not).
     */
    public Promise<Long> nextEvaluation() {
        Resolver<Long> waiter = Promise.pending();
        evaluationWaiters.add(waiter);
        return waiter.promise();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + path + ", " + state + ", other " + otherState + "]";
    }
}
