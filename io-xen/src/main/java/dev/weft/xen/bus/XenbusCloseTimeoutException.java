package dev.weft.xen.bus;

import java.io.IOException;
import java.io.Serial;
import java.time.Duration;

/**
 * The other end of a xenbus device did not close within the bound {@link XenbusEnd#close(Duration)}
 * gave it: this end gave up the handshake, let its driver disconnect, and published Closed. The
 * other end may be stuck, buggy or hostile; whatever it still maps of ours is not reused.
 */
public final class XenbusCloseTimeoutException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final XenbusState otherState;

    /** {@code path}'s other end was still in {@code otherState} when {@code bound} passed. */
    public XenbusCloseTimeoutException(String path, XenbusState otherState, Duration bound) {
        super(path + ": the other end was still " + otherState + " " + bound.toMillis()
                + " ms after this end began closing; gave up waiting and closed this side");
        this.otherState = otherState;
    }

    /** The other end's state when the bound passed. */
    public XenbusState otherState() {
        return otherState;
    }
}
