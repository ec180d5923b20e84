package dev.weft.xen.lifecycle;

import dev.weft.loop.Loop;
import dev.weft.promise.Cancelled;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import dev.weft.xen.store.StoreView;
import dev.weft.xen.store.Watch;
import dev.weft.xen.store.XenStore;
import dev.weft.xen.store.XenStoreException;
import dev.weft.xen.store.XsError;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The domain's lifecycle as the toolstack drives it (MirageOS's {@code Lifecycle}): {@code xl
 * shutdown}, {@code xl reboot}, {@code xl save} and friends write a request into the domain's
 * {@code control/shutdown} key; the guest watches that key, acts, and acknowledges by clearing it
 * (writing the empty string), which is what libxl waits for.
 *
 * <p>{@link #awaitShutdownRequest} turns that into one promise. A program on the Xen backend picks
 * between it and whatever else ends it, then shuts down as it would on SIGTERM on Unix (run its
 * exit hooks, drain its connections):
 *
 * <pre>{@code
 * loop.atExit(server::drain); // stop accepting, let open connections finish
 * Lifecycle.shutdownOnRequest(loop, store, "/local/domain/" + domid, Set.of(POWEROFF, REBOOT), grace);
 * }</pre>
 *
 * {@link #shutdownOnRequest} is that: the request closes the loop, whose exit hooks drain.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b>, the loop of the {@link XenStore} given.
 */
public final class Lifecycle {
    private Lifecycle() {}

    /** What the toolstack asks for: the values libxl writes into {@code control/shutdown}. */
    public enum Request {
        /** Shut down and stop ({@code xl shutdown}). */
        POWEROFF,
        /** Shut down and start again ({@code xl reboot}). */
        REBOOT,
        /** Suspend for save or migration ({@code xl save}, {@code xl migrate}). */
        SUSPEND,
        /** Crash now, for a dump ({@code xl trigger ... }/{@code xl dump-core} tooling). */
        CRASH,
        /** Older toolstacks' word for poweroff. */
        HALT;

        /** The value as written in xenstore: the name in lower case. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The request {@code value} names, or empty for anything else (including the empty string). */
        public static Optional<Request> parse(String value) {
            for (Request request : values()) {
                if (request.key().equals(value)) {
                    return Optional.of(request);
                }
            }
            return Optional.empty();
        }

        /** Whether Linux and MirageOS advertise it as {@code control/feature-<key>}. */
        boolean advertised() {
            return this == POWEROFF || this == REBOOT || this == SUSPEND;
        }
    }

    /**
     * Advertises {@code control/feature-<request>} = 1 for each accepted request that has one,
     * watches {@code <domainPath>/control/shutdown}, and is fulfilled with the first accepted
     * request written there, once it has been acknowledged (the key cleared, in the same
     * transaction that read it). Requests not accepted, and values that name no request, are left
     * in place for the toolstack (which times out) and the wait goes on. Cancelling the promise, at
     * any stage, removes the watch and acknowledges nothing, unless the acknowledging transaction
     * was already on its way to the daemon. Rejected with the xenstore client's failure if the connection breaks.
     *
     * @param domainPath the domain's home, {@code /local/domain/<domid>}
     * @param accepted the requests this program handles
     */
    public static Promise<Request> awaitShutdownRequest(XenStore store, String domainPath, Set<Request> accepted) {
        return new ShutdownWait(store, domainPath + "/control", accepted).start();
    }

    /**
     * Shuts {@code loop} down on the first accepted request, as a Unix program does on SIGTERM:
     * waits as {@link #awaitShutdownRequest} does (the request is acknowledged when taken), then
     * closes the loop with {@code grace}, so its exit hooks ({@link Loop#atExit}) run, newest
     * first and each awaited, while the loop still serves (connections drain), and then it
     * releases everything. Fulfilled with the request as the close begins: the hooks start when
     * the current iteration ends. Cancelling it before a request comes cancels the wait.
     *
     * @param loop the loop of {@code store}, to close
     * @param domainPath the domain's home, {@code /local/domain/<domid>}
     * @param accepted the requests that stop this program (poweroff, reboot, halt are usual)
     * @param grace how long the exit hooks may take in all ({@link Loop#close(Duration)})
     */
    public static Promise<Request> shutdownOnRequest(Loop loop, XenStore store, String domainPath,
            Set<Request> accepted, Duration grace) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(grace, "grace");
        return awaitShutdownRequest(store, domainPath, accepted).map(request -> {
            loop.close(grace);
            return request;
        });
    }

    /**
     * One wait. Its promise is a task, so cancelling it works at every stage, even while a
     * xenstore request is in flight (those cannot be cancelled: their replies come anyway). Each
     * step therefore first asks whether the wait is still wanted, the acknowledging transaction
     * clears nothing once it is not, and cancelling also cancels the step in progress (the watch's
     * read), so the watch is removed.
     */
    private static final class ShutdownWait {
        private final XenStore store;
        private final String control;
        private final Set<Request> accepted;
        private final Resolver<Request> result = Promise.task();

        ShutdownWait(XenStore store, String control, Set<Request> accepted) {
            this.store = store;
            this.control = control;
            this.accepted = accepted;
        }

        Promise<Request> start() {
            Promise<Request> work = advertise(store, control, accepted)
                    .flatMap(v -> unlessCancelled(() -> store.watch(control + "/shutdown")))
                    .flatMap(watch -> next(watch).andFinally(watch::unwatch));
            result.promise().onCancel(work::cancel);
            work.onAny(request -> {
                if (wanted()) {
                    result.resolve(request);
                }
            }, failure -> {
                if (wanted()) {
                    result.reject(failure);
                }
            });
            return result.promise();
        }

        /** After each event on the watch (the first comes at once), looks at the key. */
        private Promise<Request> next(Watch watch) {
            return unlessCancelled(() -> watch.events().next())
                    .flatMap(event -> takeRequest(store, control + "/shutdown", accepted, this::wanted))
                    .flatMap(taken -> taken.isPresent() ? Promise.of(taken.get()) : next(watch));
        }

        private <T> Promise<T> unlessCancelled(Supplier<Promise<T>> step) {
            return wanted() ? step.get() : Promise.rejected(new Cancelled());
        }

        private boolean wanted() {
            return result.promise().isPending();
        }
    }

    private static Promise<Void> advertise(XenStore store, String control, Set<Request> accepted) {
        Promise<Void> done = Promise.unit();
        for (Request request : accepted) {
            if (request.advertised()) {
                done = done.flatMap(v -> store.write(control + "/feature-" + request.key(), "1"));
            }
        }
        return done;
    }

    /**
     * In one transaction: reads {@code key} and, if it names an accepted request and the wait is
     * still {@code wanted}, clears it. Empty if there is no such request now (no key, empty,
     * unknown, or not accepted) or nobody wants it any more.
     */
    static Promise<Optional<Request>> takeRequest(XenStore store, String key, Set<Request> accepted) {
        return takeRequest(store, key, accepted, () -> true);
    }

    private static Promise<Optional<Request>> takeRequest(XenStore store, String key, Set<Request> accepted,
            BooleanSupplier wanted) {
        return store.transaction(tx -> read(tx, key).flatMap(value -> {
            Optional<Request> request = Request.parse(value).filter(accepted::contains);
            return request.isEmpty() || !wanted.getAsBoolean()
                    ? Promise.of(request)
                    : tx.write(key, "").map(v -> request);
        }));
    }

    private static Promise<String> read(StoreView view, String key) {
        return view.read(key).recover(failure -> failure instanceof XenStoreException e && e.error() == XsError.ENOENT
                ? Promise.of("")
                : Promise.rejected(failure));
    }
}
