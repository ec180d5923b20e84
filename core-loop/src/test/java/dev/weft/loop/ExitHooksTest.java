package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.LoopHooks;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Exit hooks that wait ({@link Loop#atExit}, Lwt_main.at_exit): newest first, each awaited, the
 * loop alive meanwhile, failures reported, the whole bounded by the grace period. Time is virtual
 * wherever a duration matters, so no test sleeps.
 */
@Timeout(60)
class ExitHooksTest {
    private final List<Throwable> reported = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void captureReports() {
        LoopHooks.setAsyncExceptionHook(reported::add);
    }

    @AfterEach
    void restoreReports() {
        LoopHooks.setAsyncExceptionHook(null);
    }

    @Test
    void hooksRunNewestFirstWhicheverFormAddedThem() {
        Loop loop = Loop.builder().virtualTime().build();
        List<String> trace = new ArrayList<>();
        loop.atExit(() -> Promise.wrap(() -> trace.add("atExit, added first")));
        loop.onExit(() -> trace.add("onExit, added second"));
        loop.atExit(() -> Promise.wrap(() -> trace.add("atExit, added last")));

        loop.close();

        assertEquals(List.of("atExit, added last", "onExit, added second", "atExit, added first"), trace);
    }

    @Test
    void theNextHookStartsOnlyOnceTheWorkOfThePreviousOneIsDone() {
        Loop loop = Loop.builder().virtualTime().build();
        List<String> trace = new ArrayList<>();
        loop.atExit(() -> Promise.wrap(() -> trace.add("older hook starts")));
        loop.atExit(() -> {
            trace.add("newer hook starts");
            return Promise.pause()
                    .map(v -> trace.add("newer hook: pause resumed"))
                    .flatMap(v -> loop.sleep(Duration.ofSeconds(3)))
                    .map(v -> trace.add("newer hook: timer fired"));
        });

        loop.close();

        assertEquals(List.of("newer hook starts", "newer hook: pause resumed", "newer hook: timer fired",
                "older hook starts"), trace);
        assertEquals(List.of(), reported);
        assertTrue(loop.isClosed());
    }

    @Test
    void theWorkAHookStartsIsFulfilledNotRejectedWithLoopClosed() {
        Loop loop = Loop.builder().virtualTime().build();
        List<Promise<String>> started = new ArrayList<>();
        loop.atExit(() -> {
            Promise<String> work = Promise.pause().map(v -> "done");
            started.add(work);
            return work;
        });

        loop.close();

        assertEquals("done", started.getFirst().value());
    }

    @Test
    void aHookWaitsForWorkAnotherThreadFinishes() throws Exception {
        Loop loop = Loop.create();
        loop.start();
        CompletableFuture<String> fromElsewhere = new CompletableFuture<>();
        List<String> trace = Collections.synchronizedList(new ArrayList<>());
        loop.submit(() -> {
            loop.atExit(() -> Promise.wrap(() -> trace.add("older hook")));
            loop.atExit(() -> Bridges.fromStage(loop, fromElsewhere).map(value -> trace.add(value)));
            return Promise.unit();
        }).get(10, TimeUnit.SECONDS);
        Thread closer = Thread.ofPlatform().start(loop::close);
        closer.join(100);
        assertTrue(closer.isAlive(), "close must wait for the hook's promise");

        fromElsewhere.complete("newer hook, resolved from another thread");
        closer.join();

        assertEquals(List.of("newer hook, resolved from another thread", "older hook"), trace);
        assertTrue(loop.isClosed());
    }

    @Test
    void aFailingHookIsReportedAndTheOlderHooksStillRun() {
        Loop loop = Loop.builder().virtualTime().build();
        List<String> trace = new ArrayList<>();
        IllegalStateException thrown = new IllegalStateException("thrown by a hook");
        IllegalStateException rejected = new IllegalStateException("rejected later by a hook");
        loop.atExit(() -> Promise.wrap(() -> trace.add("oldest hook ran")));
        loop.atExit(() -> {
            throw thrown;
        });
        loop.atExit(() -> loop.sleep(Duration.ofSeconds(1)).flatMap(v -> Promise.rejected(rejected)));

        loop.close();

        assertEquals(List.of("oldest hook ran"), trace);
        assertEquals(List.of(rejected, thrown), reported);
    }

    @Test
    void theGracePeriodCancelsAHookThatNeverResolvesAndStillCallsTheOlderOnes() {
        Loop loop = Loop.builder().virtualTime().exitGrace(Duration.ofSeconds(5)).build();
        ManualClock clock = (ManualClock) loop.clock();
        List<String> trace = new ArrayList<>();
        Resolver<Void> never = Promise.task();
        loop.onExit(() -> trace.add("older hook, releasing something"));
        loop.atExit(() -> never.promise());

        loop.close();

        assertTrue(loop.isClosed(), "close completes");
        assertEquals(Duration.ofSeconds(5).toNanos(), clock.nanoTime(), "after exactly the grace");
        assertTrue(never.promise().isCancelled(), "the hook still running is cancelled");
        assertEquals(List.of("older hook, releasing something"), trace);
        assertEquals(1, reported.size(), reported.toString());
        assertInstanceOf(ExitGraceExpired.class, reported.getFirst());
        assertTrue(reported.getFirst().getMessage().contains("was still running and was cancelled"));
    }

    @Test
    void aHookCalledAfterTheGraceRanOutIsNotWaitedForButCancelledAndReported() {
        Loop loop = Loop.builder().virtualTime().exitGrace(Duration.ofSeconds(5)).build();
        Resolver<Void> late = Promise.task();
        loop.atExit(() -> late.promise());
        loop.atExit(() -> Promise.<Void>task().promise());

        loop.close();

        assertTrue(late.promise().isCancelled());
        assertEquals(2, reported.size(), reported.toString());
        assertTrue(reported.get(1).getMessage().contains("not waited for"), reported.get(1).getMessage());
    }

    @Test
    void closeWithAGraceOverridesTheBuildersAndStillReleasesEverything() {
        ManualClock clock = new ManualClock();
        Loop loop = Loop.builder().engine(new VirtualTimeEngine(clock)).exitGrace(Duration.ofHours(1)).build();
        Promise<Void> appSleep = loop.sleep(Duration.ofDays(1));
        loop.atExit(() -> Promise.<Void>task().promise());

        loop.close(Duration.ofMillis(250));

        assertEquals(Duration.ofMillis(250).toNanos(), clock.nanoTime());
        assertInstanceOf(LoopClosed.class, appSleep.failure(), "pending work is still rejected");
        assertEquals(0, loop.metrics().timersPending(), "the grace timer is gone too");
    }

    @Test
    void aHookAddedByAHookRunsNext() {
        Loop loop = Loop.builder().virtualTime().build();
        List<String> trace = new ArrayList<>();
        loop.atExit(() -> Promise.wrap(() -> trace.add("older hook")));
        loop.atExit(() -> {
            loop.onExit(() -> trace.add("added while exiting"));
            return Promise.wrap(() -> trace.add("newer hook"));
        });

        loop.close();

        assertEquals(List.of("newer hook", "added while exiting", "older hook"), trace);
    }

    @Test
    void aHookAddedOnceTheHooksAreDoneIsRefusedWithLoopClosedRatherThanNeverRun() {
        Loop loop = Loop.builder().virtualTime().build();
        List<String> trace = new ArrayList<>();
        loop.atExit(() -> {
            Promise<Void> work = loop.sleep(Duration.ofSeconds(1));
            // registered after the loop's own callback on the hook's promise: runs once the hooks are done
            loop.execute(() -> work.onSuccess(v -> {
                try {
                    loop.onExit(() -> trace.add("late hook ran"));
                    trace.add("late hook accepted");
                } catch (LoopClosed refused) {
                    trace.add("late hook refused");
                }
            }));
            return work;
        });

        loop.close();

        assertEquals(List.of("late hook refused"), trace);
    }

    @Test
    void aRemovedHookDoesNotRunAndTheRunnableFormStillWorks() {
        Loop loop = Loop.builder().virtualTime().build();
        List<String> trace = new ArrayList<>();
        loop.onExit(() -> trace.add("runnable hook"));
        Runnable remove = loop.atExit(() -> Promise.wrap(() -> trace.add("removed hook")));
        remove.run();

        loop.close();

        assertEquals(List.of("runnable hook"), trace);
    }

    @Test
    void closeInsideACallbackLetsTheRunCarryOnUntilTheHooksAreDone() {
        Loop loop = Loop.builder().virtualTime().build();
        List<String> trace = new ArrayList<>();
        loop.atExit(() -> loop.sleep(Duration.ofSeconds(1)).map(v -> trace.add("hook's timer fired")));
        loop.execute(loop::close);

        int iterations = 0;
        while (!loop.isClosed()) {
            loop.runOnce(-1);
            iterations++;
        }

        assertEquals(List.of("hook's timer fired"), trace);
        assertTrue(iterations > 1, "the hook's timer needed iterations of its own");
    }

    @Test
    void aStartedLoopsCloseFromAnotherThreadReturnsOnlyOnceTheHooksAreDone() {
        Loop loop = Loop.create();
        loop.start();
        List<String> trace = Collections.synchronizedList(new ArrayList<>());
        loop.submit(() -> { // registered before close starts, whatever the loop thread is doing
            loop.atExit(() -> loop.sleep(Duration.ofMillis(20)).map(v -> trace.add("hook done")));
            return Promise.unit();
        }).join();

        loop.close();

        assertEquals(List.of("hook done"), trace);
        assertTrue(loop.isClosed());
    }

    @Test
    void aGroupsCloseWaitsForTheHooksOfEveryLoop() throws Exception {
        List<String> trace = Collections.synchronizedList(new ArrayList<>());
        LoopGroup group = LoopGroup.builder().loops(3).build();
        group.start();
        for (int i = 0; i < group.size(); i++) {
            Loop loop = group.loop(i);
            String done = loop.name() + " hook done";
            loop.call(() -> loop.atExit(() -> loop.sleep(Duration.ofMillis(20)).map(v -> trace.add(done))))
                    .get(10, TimeUnit.SECONDS);
        }

        group.close();

        assertEquals(3, trace.size(), trace.toString());
        assertTrue(group.isClosed());
    }

    @Test
    void aGroupsCloseGraceBoundsEveryLoopsHooks() throws Exception {
        LoopGroup group = LoopGroup.builder().loops(2).build();
        group.start();
        List<Promise<Void>> hooks = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < group.size(); i++) {
            Loop loop = group.loop(i);
            loop.call(() -> loop.atExit(() -> {
                Promise<Void> never = Promise.<Void>task().promise();
                hooks.add(never);
                return never;
            })).get(10, TimeUnit.SECONDS);
        }

        group.close(Duration.ZERO);

        assertTrue(group.isClosed());
        assertEquals(2, hooks.size());
        assertEquals(2, reported.stream().filter(ExitGraceExpired.class::isInstance).count(), reported.toString());
    }

    @Test
    void theFirstClosesGraceHolds() {
        Loop loop = Loop.builder().virtualTime().build();
        ManualClock clock = (ManualClock) loop.clock();
        loop.atExit(() -> {
            loop.close(Duration.ofHours(1)); // a second close, from inside the hook: ignored
            return Promise.<Void>task().promise();
        });

        loop.close(Duration.ofSeconds(2));

        assertEquals(Duration.ofSeconds(2).toNanos(), clock.nanoTime());
        assertSame(ExitGraceExpired.class, reported.getFirst().getClass());
    }
}
