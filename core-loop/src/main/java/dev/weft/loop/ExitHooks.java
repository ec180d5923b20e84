package dev.weft.loop;

import dev.weft.promise.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A loop's exit hooks (Lwt_main's exit-hook sequence): a stack, so that the hook added last is
 * taken first, and one taken at a time, so that a hook added while the hooks run (by a hook, say)
 * is the next one taken, as in Lwt.
 *
 * <p><b>Threading: confined to the loop thread.</b>
 */
final class ExitHooks {

    private final List<Supplier<? extends Promise<?>>> stack = new ArrayList<>();

    /** Pushes {@code hook} and returns the action that removes it again, if it has not run yet. */
    Runnable add(Supplier<? extends Promise<?>> hook) {
        Objects.requireNonNull(hook, "hook");
        stack.add(hook);
        return new Removal(this, hook);
    }

    /** Adds a hook that runs {@code action} and is done when it returns. */
    Runnable add(Runnable action) {
        return add(new Immediate(Objects.requireNonNull(action, "hook")));
    }

    /** The newest hook, removed from the stack, or null if none is left. */
    Supplier<? extends Promise<?>> takeNewest() {
        return stack.isEmpty() ? null : stack.removeLast();
    }

    private void remove(Supplier<? extends Promise<?>> hook) {
        for (int i = stack.size() - 1; i >= 0; i--) {
            if (stack.get(i) == hook) { // identity: the same lambda may be added twice
                stack.remove(i);
                return;
            }
        }
    }

    /** A {@link Runnable} exit hook ({@link Loop#onExit}): done as soon as it returns. */
    private record Immediate(Runnable action) implements Supplier<Promise<Void>> {
        @Override
        public Promise<Void> get() {
            action.run();
            return Promise.unit();
        }

        @Override
        public String toString() {
            return action.toString();
        }
    }

    /** The handle {@link #add} returns; removing twice, or after the hook ran, is harmless. */
    private record Removal(ExitHooks hooks, Supplier<? extends Promise<?>> hook) implements Runnable {
        @Override
        public void run() {
            hooks.remove(hook);
        }
    }
}
