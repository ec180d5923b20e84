package dev.weft.promise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Lwt_switch's behaviour (test_lwt_switch.ml and lwt_switch.ml). */
class SwitchTest {
    @AfterEach
    void drainPaused() {
        while (LoopHooks.wakeupPaused() > 0) {
            // leave no paused promise to the next test
        }
    }

    private static Supplier<Promise<Void>> counting(int[] counter) {
        return () -> {
            counter[0]++;
            return Promise.unit();
        };
    }

    @Test
    void turnOffRunsEachHookOnce() {
        Switch s = new Switch();
        int[] a = {0};
        int[] b = {0};
        s.addHook(counting(a));
        s.addHook(counting(b));
        assertEquals(0, a[0] + b[0]);
        assertTrue(s.turnOff().isFulfilled());
        assertEquals(1, a[0]);
        assertEquals(1, b[0]);
    }

    @Test
    void secondTurnOffIsFulfilledAndRunsNoHook() {
        Switch s = new Switch();
        int[] a = {0};
        s.addHook(counting(a));
        s.turnOff();
        assertTrue(s.turnOff().isFulfilled());
        assertEquals(1, a[0]);
    }

    @Test
    void secondTurnOffDoesNotWaitForTheFirstOnesHooks() {
        Switch s = new Switch();
        Resolver<Void> slow = Promise.pending();
        s.addHook(slow::promise);
        Promise<Void> first = s.turnOff();
        assertTrue(first.isPending());
        assertTrue(s.turnOff().isFulfilled());
    }

    @Test
    void addHookOnASwitchThatIsOffThrowsSwitchOff() {
        Switch s = new Switch();
        s.turnOff();
        assertThrows(SwitchOff.class, () -> s.addHook(Promise::unit));
    }

    @Test
    void turnOffIsRejectedWithTheHooksException() {
        Switch s = new Switch();
        IllegalStateException x = new IllegalStateException("x");
        s.addHook(() -> {
            throw x;
        });
        Promise<Void> off = s.turnOff();
        assertSame(x, off.failure());
    }

    @Test
    void hooksRunNewestFirst() {
        Switch s = new Switch();
        List<String> order = new ArrayList<>();
        s.addHook(() -> {
            order.add("old");
            return Promise.unit();
        });
        s.addHook(() -> {
            order.add("new");
            return Promise.unit();
        });
        s.turnOff();
        assertEquals(List.of("new", "old"), order);
    }

    @Test
    void whenSeveralHooksFailAtOnceTheNewestFailingHookIsReported() {
        Switch s = new Switch();
        IllegalStateException older = new IllegalStateException("older");
        IllegalStateException newer = new IllegalStateException("newer");
        s.addHook(() -> Promise.rejected(older));
        s.addHook(() -> Promise.rejected(newer));
        assertSame(newer, s.turnOff().failure());
    }

    @Test
    void whenHooksFailLaterTheFirstFailureToHappenIsReported() {
        Switch s = new Switch();
        Resolver<Void> a = Promise.pending();
        Resolver<Void> b = Promise.pending();
        s.addHook(a::promise);
        s.addHook(b::promise);
        Promise<Void> off = s.turnOff();
        IllegalStateException first = new IllegalStateException("first");
        a.reject(first);
        assertTrue(off.isPending());
        b.reject(new IllegalStateException("second"));
        assertSame(first, off.failure());
    }

    @Test
    void withSwitchTurnsOffOnNormalExit() {
        boolean[] hookRan = {false};
        Promise<String> result = Switch.withSwitch(s -> {
            s.addHook(() -> {
                hookRan[0] = true;
                return Promise.unit();
            });
            return Promise.of("ok");
        });
        assertEquals("ok", result.value());
        assertTrue(hookRan[0]);
    }

    @Test
    void withSwitchTurnsOffWhenTheBodyThrows() {
        boolean[] hookRan = {false};
        IllegalStateException x = new IllegalStateException("x");
        Promise<String> result = Switch.withSwitch(s -> {
            s.addHook(() -> {
                hookRan[0] = true;
                return Promise.unit();
            });
            throw x;
        });
        assertSame(x, result.failure());
        assertTrue(hookRan[0]);
    }

    @Test
    void withSwitchReportsTheHooksFailureOverTheBodys() {
        IllegalStateException hookFailure = new IllegalStateException("hook");
        Promise<String> result = Switch.withSwitch(s -> {
            s.addHook(() -> Promise.rejected(hookFailure));
            return Promise.rejected(new IllegalStateException("body"));
        });
        assertSame(hookFailure, result.failure());
    }

    @Test
    void checkThrowsOnlyWhenOff() {
        Switch s = new Switch();
        s.check();
        s.turnOff();
        assertThrows(SwitchOff.class, s::check);
    }

    @Test
    void isOnIsTrueUntilTurnOff() {
        Switch s = new Switch();
        assertTrue(s.isOn());
        s.turnOff();
        assertFalse(s.isOn());
    }

    @Test
    void switchIsOffBeforeTheHooksRun() {
        Switch s = new Switch();
        boolean[] onDuringHook = {true};
        s.addHook(() -> {
            onDuringHook[0] = s.isOn();
            return Promise.unit();
        });
        s.turnOff();
        assertFalse(onDuringHook[0]);
    }

    @Test
    void addHookOrExecStoresTheHookWhileOn() {
        Switch s = new Switch();
        int[] count = {0};
        assertTrue(s.addHookOrExec(counting(count)).isFulfilled());
        assertEquals(0, count[0]);
        s.turnOff();
        assertEquals(1, count[0]);
    }

    @Test
    void addHookOrExecRunsTheHookAtOnceWhenOff() {
        Switch s = new Switch();
        s.turnOff();
        int[] count = {0};
        Resolver<Void> hookDone = Promise.pending();
        Promise<Void> result = s.addHookOrExec(() -> {
            count[0]++;
            return hookDone.promise();
        });
        assertEquals(1, count[0]);
        assertTrue(result.isPending());
        hookDone.resolve(null);
        assertTrue(result.isFulfilled());
    }

    @Test
    void turnOffWaitsForAllHooks() {
        Switch s = new Switch();
        int[] done = {0};
        Supplier<Promise<Void>> pausing = () -> Promise.pause().map(v -> {
            done[0]++;
            return null;
        });
        s.addHook(pausing);
        s.addHook(pausing);
        Promise<Void> off = s.turnOff();
        assertTrue(off.isPending());
        LoopHooks.wakeupPaused();
        assertTrue(off.isFulfilled());
        assertEquals(2, done[0]);
    }

    @Test
    void turnOffWaitsForAllHooksEvenIfOneFails() {
        Switch s = new Switch();
        int[] done = {0};
        Supplier<Promise<Void>> pausing = () -> Promise.pause().map(v -> {
            done[0]++;
            return null;
        });
        s.addHook(pausing);
        s.addHook(() -> {
            done[0]++;
            throw new IllegalStateException("sync");
        });
        s.addHook(pausing);
        Promise<Void> off = s.turnOff();
        assertTrue(off.isPending());
        LoopHooks.wakeupPaused();
        assertTrue(off.isRejected());
        assertEquals(3, done[0]);
    }
}
