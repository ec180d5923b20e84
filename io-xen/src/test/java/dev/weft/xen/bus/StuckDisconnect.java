package dev.weft.xen.bus;

import dev.weft.promise.Promise;
import java.util.function.Supplier;

/**
 * A frontend driver's {@code disconnect()} against a {@link StubbornBackend}, stepped on a {@link
 * ManualTime}: {@link #begin} starts it and returns once the frontend is Closing and waits for
 * the backend under its bound; {@link #boundPasses} lets the bound pass and gives the outcome.
 */
public final class StuckDisconnect {
    private final SplitDeviceRig rig;
    private final ManualTime time;
    private Promise<Void> disconnecting;

    /** For a device on {@code rig} whose frontend's xenstore client runs on {@code time}. */
    public StuckDisconnect(SplitDeviceRig rig, ManualTime time) {
        this.rig = rig;
        this.time = time;
    }

    /** Calls {@code disconnect} on the frontend's loop; returns once {@code frontend} is Closing and the bound runs. */
    public void begin(Supplier<Promise<Void>> disconnect, Supplier<Frontend> frontend) throws Exception {
        rig.front(() -> {
            disconnecting = disconnect.get();
            return frontend.get().reach(XenbusState.CLOSING).flatMap(v -> time.sleepers(1));
        });
    }

    /** Whether the disconnection is still under way. */
    public boolean pending() throws Exception {
        return rig.front(() -> Promise.of(disconnecting.isPending()));
    }

    /** Lets every pending bound pass and returns the disconnection's outcome once it has settled. */
    public Promise<Void> boundPasses() throws Exception {
        rig.front(() -> {
            time.elapse();
            return Promise.unit();
        });
        return rig.front(() -> disconnecting.map(v -> disconnecting).recover(failure -> Promise.of(disconnecting)));
    }
}
