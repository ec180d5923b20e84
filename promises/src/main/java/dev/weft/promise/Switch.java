package dev.weft.promise;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A switch that releases a group of resources at once (Lwt_switch): resources register a hook
 * with {@link #addHook}, and {@link #turnOff()} runs every hook once.
 *
 * <p><b>Threading: confined to the loop thread, like promises.</b>
 *
 * <p>A switch starts on and is turned off once. {@code turnOff} flips it off before running any
 * hook, starts every hook newest first (a hook that throws counts as a rejected promise), then
 * waits for all of them; if some failed, its promise is rejected with the failure recorded first:
 * the first synchronous failure in start order (so the newest failing hook among those), else the
 * first asynchronous failure to happen (as Lwt's join). Turning off a switch that is already off
 * returns an already-fulfilled promise at once, without waiting for the first turnOff's hooks.
 */
public final class Switch {
    /** Hooks in registration order while on; null once off. */
    private List<Supplier<? extends Promise<?>>> hooks = new ArrayList<>();

    /** Creates a switch that is on. */
    public Switch() {}

    /**
     * Creates a switch, runs {@code body} with it, and turns it off when the body's promise
     * resolves, whichever way (Lwt_switch.with_switch). If a hook fails, its failure replaces the
     * body's outcome.
     */
    public static <T> Promise<T> withSwitch(Function<? super Switch, ? extends Promise<? extends T>> body) {
        Switch s = new Switch();
        return Promise.<T>tryFinally(() -> body.apply(s), s::turnOff);
    }

    /** Whether the switch is still on. */
    public boolean isOn() {
        return hooks != null;
    }

    /**
     * Checks that the switch is on (Lwt_switch.check).
     *
     * @throws SwitchOff if it is off
     */
    public void check() {
        if (hooks == null) {
            throw off("check");
        }
    }

    /**
     * Registers {@code hook} to run when the switch is turned off.
     *
     * @throws SwitchOff if the switch is already off: release the resource yourself, or use
     *     {@link #addHookOrExec}
     */
    public void addHook(Supplier<? extends Promise<?>> hook) {
        if (hooks == null) {
            throw off("addHook");
        }
        hooks.add(hook);
    }

    /**
     * Registers {@code hook} and returns an already-fulfilled promise if the switch is on; if it
     * is off, runs {@code hook} now and returns its promise.
     */
    public Promise<Void> addHookOrExec(Supplier<? extends Promise<?>> hook) {
        if (hooks == null) {
            return Promise.apply(hook).map(ignored -> null);
        }
        hooks.add(hook);
        return Promise.unit();
    }

    /**
     * Turns the switch off and runs every hook once, newest first; the promise resolves when all
     * of them have (see the class notes for which failure is reported). A second call returns an
     * already-fulfilled promise.
     */
    public Promise<Void> turnOff() {
        List<Supplier<? extends Promise<?>>> toRun = hooks;
        if (toRun == null) {
            return Promise.unit();
        }
        hooks = null;
        List<Promise<?>> running = new ArrayList<>(toRun.size());
        for (int i = toRun.size() - 1; i >= 0; i--) {
            running.add(Promise.apply(toRun.get(i)));
        }
        return Promise.join(running);
    }

    private static SwitchOff off(String operation) {
        return new SwitchOff("Switch." + operation + ": the switch is already off and its hooks have run; "
                + "release the resource directly or use addHookOrExec");
    }
}
