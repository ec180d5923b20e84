package dev.weft.loop.device;

import dev.weft.promise.Promise;
import java.time.Duration;

/**
 * Waiting for time to pass (MirageOS's {@code Mirage_time.S}). Reading the time is {@link
 * dev.weft.loop.Clock}'s job (monotonic and wall, Mirage's Mclock and Pclock). A {@link
 * dev.weft.loop.Loop} is a {@code Time}.
 *
 * <p><b>Threading: LOOP THREAD ONLY.</b>
 */
public interface Time {

    /**
     * A promise fulfilled once {@code duration} has passed on the loop's monotonic clock, never
     * earlier. Cancelling it removes its timer. A zero or negative duration resolves at the next
     * iteration, not at once, so a sleep always yields.
     */
    Promise<Void> sleep(Duration duration);
}
