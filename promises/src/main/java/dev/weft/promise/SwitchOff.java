package dev.weft.promise;

import java.io.Serial;

/**
 * A hook added to a {@link Switch} that is already off (Lwt_switch's {@code Off}): the resource it
 * guards was already released; use {@link Switch#addHookOrExec} to release late resources at once
 * instead.
 */
public final class SwitchOff extends IllegalStateException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the failure of an operation on a switch that is off.
     *
     * @param message what happened and what to do
     */
    public SwitchOff(String message) {
        super(message);
    }
}
