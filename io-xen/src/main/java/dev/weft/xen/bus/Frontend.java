package dev.weft.xen.bus;

import dev.weft.promise.Promise;
import dev.weft.xen.store.XenStore;
import java.util.EnumSet;
import java.util.Set;

/**
 * The frontend end of a xenbus device (the guest side: netfront, blkfront). Its directory, for
 * example {@code /local/domain/5/device/vif/0}, names the backend's in its {@code backend} node.
 *
 * <p><b>Threading: LOOP THREAD ONLY.</b>
 *
 * <p>Its rules, by its state and the backend's: Initialising, and the backend at InitWait or
 * beyond: connect the driver, then Initialised; Initialised and the backend Connected:
 * Connected; Connected and the backend anywhere but Connected (or Initialised and the backend
 * Closing or Closed): Closing; Closing and the backend not Connected: disconnect the driver,
 * then Closed; Closed: stop if closing for good, else, once the backend is Closed, InitWait or
 * Initialising, Initialising again (reconnection).
 */
public final class Frontend extends XenbusEnd {
    private static final Set<XenbusState> BACKEND_READY =
            EnumSet.of(XenbusState.INIT_WAIT, XenbusState.INITIALISED, XenbusState.CONNECTED);
    private static final Set<XenbusState> BACKEND_RESTARTING =
            EnumSet.of(XenbusState.CLOSED, XenbusState.INIT_WAIT, XenbusState.INITIALISING);

    private Frontend(XenStore store, String path, String backendPath, XenbusDriver driver) {
        super(store, path, backendPath, driver, XenbusState.INITIALISING, Frontend::rule);
    }

    /**
     * Starts the frontend whose directory is {@code path}: reads {@code <path>/backend},
     * publishes Initialising and follows the backend. Fulfilled once started; rejected if the
     * backend node cannot be read.
     */
    public static Promise<Frontend> start(XenStore store, String path, XenbusDriver driver) {
        return start(store, path, "backend", backend -> new Frontend(store, path, backend, driver));
    }

    /** The rules (see the class notes): a pure function of the two states, so tests can table it. */
    static Step rule(XenbusState own, XenbusState backend, boolean shuttingDown) {
        return switch (own) {
            case UNKNOWN, INITIALISING -> shuttingDown ? Step.to(XenbusState.CLOSED)
                    : BACKEND_READY.contains(backend) ? Step.connectThen(XenbusState.INITIALISED) : null;
            case INITIALISED -> shuttingDown || backend == XenbusState.CLOSING || backend == XenbusState.CLOSED
                    ? Step.to(XenbusState.CLOSING)
                    : backend == XenbusState.CONNECTED ? Step.to(XenbusState.CONNECTED) : null;
            case CONNECTED -> shuttingDown || !staysConnected(backend) ? Step.to(XenbusState.CLOSING) : null;
            case CLOSING -> backend != XenbusState.CONNECTED ? Step.disconnectThen(XenbusState.CLOSED) : null;
            case CLOSED -> shuttingDown ? Step.STOP
                    : BACKEND_RESTARTING.contains(backend) ? Step.to(XenbusState.INITIALISING) : null;
            case INIT_WAIT, RECONFIGURING, RECONFIGURED -> null;
        };
    }

    private static boolean staysConnected(XenbusState backend) {
        return backend == XenbusState.CONNECTED || backend == XenbusState.RECONFIGURING
                || backend == XenbusState.RECONFIGURED;
    }
}
