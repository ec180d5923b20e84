package dev.weft.loop;

/**
 * A loop-confined object with a party on another thread that only the loop can end: a bridge whose
 * subscriber or publisher would otherwise wait for ever once the loop is gone. The loop calls
 * {@link #release} once in its release phase if the object is still held then ({@link
 * Loop#holdUntilRelease}); an object that ends by itself first lets go ({@link Loop#letGo}), so a
 * long-lived loop keeps no finished bridge.
 *
 * <p>Threading: held, let go and released on the loop thread only.
 */
interface Releasable {

    /**
     * The loop is releasing what is pending: end the other side now (a terminal signal, a cancel),
     * failing what waits with {@code why}. Called at most once, on the loop thread, after the loop
     * refused new work and ran the tasks it had accepted.
     */
    void release(LoopClosed why);
}
