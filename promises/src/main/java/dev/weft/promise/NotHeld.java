package dev.weft.promise;

import java.io.Serial;

/**
 * {@link Mutex#unlock()} of a mutex that is not locked, or {@link Semaphore#release()} of a permit
 * that was never acquired: release only what {@code lock()} or {@code acquire()} gave you, once.
 */
public final class NotHeld extends IllegalStateException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the failure of a release without a matching acquire.
     *
     * @param message what happened and what to do
     */
    public NotHeld(String message) {
        super(message);
    }
}
