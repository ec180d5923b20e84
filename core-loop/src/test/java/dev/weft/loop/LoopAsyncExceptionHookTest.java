package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.promise.LoopHooks;
import dev.weft.promise.Promise;
import dev.weft.promise.UnhandledRejection;
import dev.weft.promise.fork.ForkedJvm;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The async-exception hook per loop, over the JVM-wide default: a loop built with its own hook
 * gets the failures reported on its thread while it runs; a loop without one, and any thread
 * outside a loop with one, reports to the default; two loops in one JVM never see each other's.
 */
class LoopAsyncExceptionHookTest {
    private final List<Throwable> jvmDefault = new CopyOnWriteArrayList<>();
    private final List<Throwable> first = new CopyOnWriteArrayList<>();
    private final List<Throwable> second = new CopyOnWriteArrayList<>();

    @BeforeEach
    void recordTheDefault() {
        LoopHooks.setAsyncExceptionHook(jvmDefault::add);
    }

    @AfterEach
    void restoreTheDefault() {
        LoopHooks.setAsyncExceptionHook(null);
    }

    /** Work whose plain callback throws {@code failure}, which only the async-exception hook sees. */
    private static Promise<Void> callbackThrowing(RuntimeException failure) {
        return Promise.unit().onSuccess(v -> {
            throw failure;
        });
    }

    @Test
    void twoStartedLoopsWithTheirOwnHooksEachGetOnlyTheirOwnFailures() throws Exception {
        RuntimeException inFirst = new IllegalStateException("first");
        RuntimeException inSecond = new IllegalStateException("second");
        try (Loop a = Loop.builder().name("a").asyncExceptionHook(first::add).build();
                Loop b = Loop.builder().name("b").asyncExceptionHook(second::add).build()) {
            a.start();
            b.start();
            a.execute(() -> {
                throw inFirst;
            });
            b.submit(() -> callbackThrowing(inSecond)).get(1, TimeUnit.MINUTES);
            a.submit(Promise::unit).get(1, TimeUnit.MINUTES); // a ran the task queued before
        }
        assertEquals(List.of(inFirst), first);
        assertEquals(List.of(inSecond), second);
        assertEquals(List.of(), jvmDefault);
    }

    @Test
    void twoLoopsRunInTurnOnOneThreadEachGetTheirOwnFailures() {
        RuntimeException inFirst = new IllegalStateException("first");
        RuntimeException inSecond = new IllegalStateException("second");
        try (Loop a = Loop.builder().asyncExceptionHook(first::add).build();
                Loop b = Loop.builder().asyncExceptionHook(second::add).build()) {
            a.run(a.sleep(Duration.ZERO).flatMap(v -> callbackThrowing(inFirst)));
            b.run(b.sleep(Duration.ZERO).flatMap(v -> callbackThrowing(inSecond)));
        }
        assertEquals(List.of(inFirst), first);
        assertEquals(List.of(inSecond), second);
        assertEquals(List.of(), jvmDefault);
    }

    @Test
    void aGroupsHookIsTheHookOfEachOfItsLoops() throws Exception {
        RuntimeException inLoop0 = new IllegalStateException("loop 0");
        RuntimeException inLoop1 = new IllegalStateException("loop 1");
        try (LoopGroup group = LoopGroup.builder().loops(2).daemon(true).asyncExceptionHook(first::add).build()) {
            group.start();
            group.loop(0).submit(() -> callbackThrowing(inLoop0)).get(1, TimeUnit.MINUTES);
            group.loop(1).submit(() -> callbackThrowing(inLoop1)).get(1, TimeUnit.MINUTES);
        }
        assertEquals(List.of(inLoop0, inLoop1), first);
        assertEquals(List.of(), jvmDefault);
    }

    @Test
    void aLoopWithoutItsOwnHookReportsToTheJvmWideDefault() {
        RuntimeException failure = new IllegalStateException("no hook of its own");
        try (Loop loop = Loop.create()) {
            loop.run(loop.sleep(Duration.ZERO).flatMap(v -> callbackThrowing(failure)));
        }
        assertEquals(List.of(failure), jvmDefault);
    }

    @Test
    void outsideItsRunTheLoopsThreadReportsToTheDefaultAgain() {
        RuntimeException inside = new IllegalStateException("inside run");
        RuntimeException after = new IllegalStateException("after run");
        try (Loop loop = Loop.builder().asyncExceptionHook(first::add).build()) {
            loop.run(loop.sleep(Duration.ZERO).flatMap(v -> callbackThrowing(inside)));
            callbackThrowing(after);
        }
        assertEquals(List.of(inside), first);
        assertEquals(List.of(after), jvmDefault);
    }

    @Test
    void failuresAtShutdownGoToTheLoopsOwnHook() {
        Loop loop = Loop.builder().asyncExceptionHook(first::add).build();
        loop.run(Promise.unit());
        loop.onExit(() -> {
            throw new IllegalStateException("exit hook");
        });
        loop.close();
        assertEquals(1, first.size(), first::toString);
        assertEquals(List.of(), jvmDefault);
    }

    /** The debug-mode program: a loop reports an unhandled rejection of its thread to its own hook. */
    public static final class UnhandledProbe {
        private UnhandledProbe() {}

        /**
         * Drops a rejected promise nobody observed, then runs the loop, collecting between
         * iterations, until its hook hears of it (at most fifty rounds).
         *
         * @param args unused
         */
        public static void main(String[] args) {
            List<Throwable> own = new CopyOnWriteArrayList<>();
            List<Throwable> elsewhere = new CopyOnWriteArrayList<>();
            LoopHooks.setAsyncExceptionHook(elsewhere::add);
            try (Loop loop = Loop.builder().asyncExceptionHook(own::add).build()) {
                loop.run(Promise.unit().flatMap(v -> dropUnobserved()));
                for (int round = 0; round < 50 && own.isEmpty(); round++) {
                    System.gc();
                    loop.run(loop.sleep(Duration.ofMillis(10)));
                }
            }
            System.out.println("own: " + own.stream().map(UnhandledProbe::describe).toList());
            System.out.println("elsewhere: " + elsewhere.size());
        }

        private static Promise<Void> dropUnobserved() {
            Promise.rejected(new IllegalStateException("dropped"));
            return Promise.unit();
        }

        private static String describe(Throwable t) {
            return t.getClass().getSimpleName() + "(" + t.getCause().getMessage() + ")";
        }
    }

    @Test
    void inDebugModeTheLoopReportsUnhandledRejectionsOfItsThreadToItsOwnHook() throws Exception {
        List<String> lines = ForkedJvm.run(UnhandledProbe.class, List.of(ForkedJvm.DEBUG));
        assertEquals("[" + UnhandledRejection.class.getSimpleName() + "(dropped)]",
                ForkedJvm.value(lines, "own"), lines.toString());
        assertEquals("0", ForkedJvm.value(lines, "elsewhere"));
    }
}
