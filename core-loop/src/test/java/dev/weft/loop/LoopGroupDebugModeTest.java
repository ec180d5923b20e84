package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.promise.LoopHooks;
import dev.weft.promise.Promise;
import dev.weft.promise.fork.ForkedJvm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Messages between the loops of a group with {@code -Dweft.debug=true}, where a promise used by a
 * thread other than its creator's fails fast: the owner checks, on every promise the calls make,
 * find no promise touched by two threads. A forked JVM, because the switch is read once per JVM.
 */
class LoopGroupDebugModeTest {

    /** The forked JVM's program. */
    public static final class Probe {
        private Probe() {}

        /**
         * Runs the calls and prints what it saw.
         *
         * @param args unused
         */
        public static void main(String[] args) throws Exception {
            AtomicInteger violations = new AtomicInteger();
            LoopHooks.setAsyncExceptionHook(failure -> {
                violations.incrementAndGet();
                failure.printStackTrace();
            });
            System.out.println("check active: " + ownerCheckIsActive());
            try (LoopGroup group = LoopGroup.builder().loops(2).name("d").daemon(true).build()) {
                group.start();
                CompletableFuture<Integer> sum = group.loop(0).submit(() -> calls(group, 0, 200));
                System.out.println("sum: " + sum.get(1, TimeUnit.MINUTES));
                CompletableFuture<Integer> cancelled = group.loop(0).submit(() -> cancels(group, 100));
                System.out.println("cancelled: " + cancelled.get(1, TimeUnit.MINUTES));
            }
            System.out.println("violations: " + violations.get());
        }

        /** Whether using a promise on another thread than its creator's throws in this JVM. */
        private static boolean ownerCheckIsActive() throws InterruptedException {
            Promise<Integer> mine = Promise.task().promise().map(v -> 1);
            boolean[] refused = {false};
            Thread intruder = new Thread(() -> {
                try {
                    mine.map(v -> v);
                } catch (IllegalStateException expected) {
                    refused[0] = true;
                }
            });
            intruder.start();
            intruder.join();
            return refused[0];
        }

        /** {@code count} calls from loop 0 to loop 1, one after the other; each answers later there. */
        private static Promise<Integer> calls(LoopGroup group, int sum, int count) {
            if (count == 0) {
                return Promise.of(sum);
            }
            return group.<Integer>submit(1, () -> group.loop(1).sleep(Duration.ZERO).map(v -> count))
                    .flatMap(value -> calls(group, sum + value, count - 1));
        }

        /** {@code count} calls cancelled by the caller while the work waits on loop 1. */
        private static Promise<Integer> cancels(LoopGroup group, int count) {
            List<Promise<Object>> answers = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                answers.add(group.submit(1, () -> group.loop(1).sleep(Duration.ofHours(1)).map(v -> (Object) v)));
            }
            return group.loop(0).sleep(Duration.ofMillis(20)).map(v -> {
                answers.forEach(Promise::cancel);
                int cancelled = 0;
                for (Promise<Object> answer : answers) {
                    cancelled += answer.isCancelled() ? 1 : 0;
                }
                return cancelled;
            }).flatMap(cancelled -> timersLeftOnLoop1(group).map(left -> left == 0 ? cancelled : -left));
        }

        /** Loop 1's pending timers, asked of loop 1 itself, once the cancels have had time to cross. */
        private static Promise<Integer> timersLeftOnLoop1(LoopGroup group) {
            return group.submit(1, () -> Promise.of(group.loop(1).pendingTimers()));
        }
    }

    @Test
    void noPromiseIsTouchedByTwoThreadsWhenLoopsCallEachOtherAndCancel() throws Exception {
        List<String> lines = ForkedJvm.run(Probe.class, List.of(ForkedJvm.DEBUG));
        assertEquals("true", ForkedJvm.value(lines, "check active"), lines.toString());
        assertEquals(Integer.toString(200 * 201 / 2), ForkedJvm.value(lines, "sum"), lines.toString());
        assertEquals("100", ForkedJvm.value(lines, "cancelled"), lines.toString());
        assertEquals("0", ForkedJvm.value(lines, "violations"), lines.toString());
    }
}
