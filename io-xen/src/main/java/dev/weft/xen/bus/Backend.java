package dev.weft.xen.bus;

import dev.weft.promise.Promise;
import dev.weft.xen.store.XenStore;

/**
 * The backend end of a xenbus device (the driver domain side: netback, blkback). Its directory,
 * for example {@code /local/domain/0/backend/vif/5/0}, names the frontend's in its {@code
 * frontend} node.
 *
 * <p><b>Threading: LOOP THREAD ONLY.</b>
 *
 * <p>Its rules, by its state and the frontend's: InitWait and the frontend Initialised or
 * Connected: connect the driver, then Connected; Connected and the frontend Closing, Closed,
 * gone or Initialising again: Closing; Closing and the frontend Closed, gone or Initialising:
 * disconnect the driver, then Closed; Closed: stop if closing for good, else, once the frontend
 * is Initialising (or already Initialised), InitWait again (reconnection), as Linux's backends do.
 */
public final class Backend extends XenbusEnd {

    private Backend(XenStore store, String path, String frontendPath, XenbusDriver driver) {
        super(store, path, frontendPath, driver, XenbusState.INIT_WAIT, Backend::rule);
    }

    /**
     * Starts the backend whose directory is {@code path}: reads {@code <path>/frontend},
     * publishes InitWait and follows the frontend.
     */
    public static Promise<Backend> start(XenStore store, String path, XenbusDriver driver) {
        return start(store, path, "frontend", frontend -> new Backend(store, path, frontend, driver));
    }

    /** The rules (see the class notes): a pure function of the two states, so tests can table it. */
    static Step rule(XenbusState own, XenbusState frontend, boolean shuttingDown) {
        return switch (own) {
            case UNKNOWN, INITIALISING, INIT_WAIT -> shuttingDown ? Step.to(XenbusState.CLOSED)
                    : frontend == XenbusState.INITIALISED || frontend == XenbusState.CONNECTED
                            ? Step.connectThen(XenbusState.CONNECTED) : null;
            case CONNECTED -> shuttingDown || frontendLeft(frontend) || frontend == XenbusState.CLOSING
                    ? Step.to(XenbusState.CLOSING) : null;
            case CLOSING -> frontendLeft(frontend) ? Step.disconnectThen(XenbusState.CLOSED) : null;
            case CLOSED -> shuttingDown ? Step.STOP
                    : frontend == XenbusState.INITIALISING || frontend == XenbusState.INITIALISED
                            ? Step.to(XenbusState.INIT_WAIT) : null;
            case INITIALISED, RECONFIGURING, RECONFIGURED -> null;
        };
    }

    private static boolean frontendLeft(XenbusState frontend) {
        return frontend == XenbusState.CLOSED || frontend == XenbusState.UNKNOWN
                || frontend == XenbusState.INITIALISING;
    }
}
