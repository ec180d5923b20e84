package dev.weft.loop;

import dev.weft.promise.LoopHooks;
import java.util.Arrays;
import java.util.Objects;

/**
 * An ordered set of hook actions (Lwt_main's hook sequences): enter-iteration or
 * leave-iteration (exit hooks are {@link ExitHooks}). Copy-on-write, so running the hooks
 * allocates nothing and a hook may add or remove hooks (the change applies from the next run).
 *
 * <p><b>Threading: confined to the loop thread.</b>
 */
final class Hooks {

    private static final Runnable[] NONE = new Runnable[0];

    private Runnable[] actions = NONE;

    /** Adds {@code action} after the others and returns the action that removes it again. */
    Runnable add(Runnable action) {
        Objects.requireNonNull(action, "action");
        Runnable[] grown = Arrays.copyOf(actions, actions.length + 1);
        grown[actions.length] = action;
        actions = grown;
        return new Removal(this, action);
    }

    private void remove(Runnable action) {
        Runnable[] current = actions;
        for (int i = 0; i < current.length; i++) {
            if (current[i] == action) {
                Runnable[] shrunk = new Runnable[current.length - 1];
                System.arraycopy(current, 0, shrunk, 0, i);
                System.arraycopy(current, i + 1, shrunk, i, current.length - i - 1);
                actions = shrunk;
                return;
            }
        }
    }

    /**
     * Runs the hooks in the order they were added; a hook that throws is reported, the rest run.
     * Returns how many ran.
     */
    int runInOrder() {
        Runnable[] snapshot = actions;
        for (int i = 0; i < snapshot.length; i++) {
            runOne(snapshot[i]);
        }
        return snapshot.length;
    }

    private static void runOne(Runnable hook) {
        try {
            hook.run();
        } catch (Throwable failure) {
            LoopHooks.reportAsyncException(failure);
        }
    }

    /** The handle {@link #add} returns; removing twice is harmless. */
    private record Removal(Hooks hooks, Runnable action) implements Runnable {
        @Override
        public void run() {
            hooks.remove(action);
        }
    }
}
