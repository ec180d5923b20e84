package dev.weft.promise;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.promise.fork.ForkedJvm;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A loop written as recursive binds on pending promises runs in constant memory because each new
 * inner promise becomes a proxy of the one outer promise. Proven in a forked JVM whose heap is
 * far too small to hold one object per iteration.
 */
class ConstantSpaceTest {
    private static final int ITERATIONS = 10_000_000;

    /** The program run in the small-heap JVM: loop(n) = pause().flatMap(x -> loop(n - 1)). */
    static final class PauseLoop {
        /** Held as a caller of run(loop()) holds it, so a chain hanging off it could not be freed. */
        static Promise<Integer> held;

        private PauseLoop() {}

        static Promise<Integer> loop(int n) {
            if (n == 0) {
                return Promise.of(0);
            }
            return Promise.pause().flatMap(x -> loop(n - 1));
        }

        public static void main(String[] args) {
            int n = Integer.parseInt(args[0]);
            held = loop(n);
            // Not polling held.isPending(): that would compress a chain of proxies built the
            // wrong way round and hide the leak this program exists to expose.
            Integer[] result = {null};
            held.onSuccess(v -> result[0] = v);
            long iterations = 0;
            while (result[0] == null) {
                iterations += LoopHooks.wakeupPaused();
            }
            System.out.println("iterations=" + iterations + " result=" + result[0]);
        }
    }

    @Test
    void tenMillionRecursiveBindsOnPausedPromisesRunInA32MegabyteHeap()
            throws IOException, InterruptedException {
        List<String> output = ForkedJvm.run(Duration.ofMinutes(5), PauseLoop.class, List.of("-Xmx32m", "-Xss1m"),
                Integer.toString(ITERATIONS));
        assertEquals(List.of("iterations=" + ITERATIONS + " result=0"), output);
    }
}
