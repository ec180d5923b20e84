package dev.weft.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Loop;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/** The loop as a Reactor scheduler: where tasks run, delays, periods, disposal. */
class LoopSchedulerTest {

    private static final String LOOP_THREAD = "scheduler-loop";
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private final Loop loop = Loop.builder().name("scheduler").build();
    private final Scheduler scheduler = ReactorBridges.scheduler(loop);

    @AfterEach
    void close() {
        loop.close();
    }

    @Test
    void publishOnTheLoopSchedulerMovesSignalsToTheLoopThread() {
        loop.start(LOOP_THREAD, true);

        String thread = Mono.just(1).publishOn(scheduler).map(v -> Thread.currentThread().getName()).block(PATIENCE);

        assertEquals(LOOP_THREAD, thread);
    }

    @Test
    void aDelayedTaskRunsOnTheLoopThread() throws Exception {
        loop.start(LOOP_THREAD, true);
        CompletableFuture<String> ranOn = new CompletableFuture<>();

        scheduler.schedule(() -> ranOn.complete(Thread.currentThread().getName()), 1, TimeUnit.MILLISECONDS);

        assertEquals(LOOP_THREAD, ranOn.get(60, TimeUnit.SECONDS));
    }

    @Test
    void aPeriodicTaskTicksOnTheLoopThread() {
        loop.start(LOOP_THREAD, true);

        List<String> threads = Flux.interval(Duration.ofMillis(1), scheduler)
                .take(3)
                .map(tick -> Thread.currentThread().getName())
                .collectList()
                .block(PATIENCE);

        assertEquals(List.of(LOOP_THREAD, LOOP_THREAD, LOOP_THREAD), threads);
    }

    @Test
    void theSchedulersNowIsTheLoopsClockSoVirtualDelaysMeasureWhatTheyWaited() {
        Loop virtual = Loop.builder().name("virtual-scheduler").virtualTime().build();
        Scheduler onVirtualTime = ReactorBridges.scheduler(virtual);
        virtual.start();
        try {
            long measured = Mono.delay(Duration.ofSeconds(5), onVirtualTime)
                    .elapsed(onVirtualTime)
                    .map(timed -> timed.getT1())
                    .block(PATIENCE);

            assertEquals(5_000, measured);
        } finally {
            virtual.close();
        }
    }

    @Test
    void aPeriodicTaskThatThrowsIsReportedAndKeepsTicking() throws Exception {
        List<Throwable> reported = new CopyOnWriteArrayList<>();
        Loop reporting = Loop.builder().name("reporting-scheduler").asyncExceptionHook(reported::add).build();
        reporting.start();
        try {
            AtomicInteger ticks = new AtomicInteger();
            CompletableFuture<Void> thirdTick = new CompletableFuture<>();
            IllegalStateException failure = new IllegalStateException("first tick fails");

            Disposable periodic = ReactorBridges.scheduler(reporting).schedulePeriodically(() -> {
                int tick = ticks.incrementAndGet();
                if (tick == 3) {
                    thirdTick.complete(null);
                }
                if (tick == 1) {
                    throw failure;
                }
            }, 1, 1, TimeUnit.MILLISECONDS);
            thirdTick.get(60, TimeUnit.SECONDS); // as Reactor's own schedulers do: a throw ends no period

            periodic.dispose();
            assertEquals(List.of(failure), reported);
        } finally {
            reporting.close();
        }
    }

    @Test
    void aDisposedWorkerRefusesNewTasks() {
        Scheduler.Worker worker = scheduler.createWorker();

        worker.dispose();

        assertTrue(worker.isDisposed());
        assertThrows(RejectedExecutionException.class, () -> worker.schedule(() -> {}));
    }

    @Test
    void aTaskOfADisposedWorkerNeverRuns() throws Exception {
        loop.start(LOOP_THREAD, true);
        Scheduler.Worker worker = scheduler.createWorker();
        AtomicBoolean disposedTaskRan = new AtomicBoolean();
        CompletableFuture<Void> laterTaskRan = new CompletableFuture<>();

        loop.call(() -> {
            worker.schedule(() -> disposedTaskRan.set(true), 1, TimeUnit.MILLISECONDS);
            worker.dispose(); // before the loop could arm the task's timer
            return null;
        }).get(60, TimeUnit.SECONDS);
        scheduler.schedule(() -> laterTaskRan.complete(null), 20, TimeUnit.MILLISECONDS);
        laterTaskRan.get(60, TimeUnit.SECONDS); // the disposed task was due first

        assertFalse(disposedTaskRan.get());
    }

    @Test
    void aTaskDelayedBeyondTheClocksRangeWaitsInsteadOfRunningAtOnce() throws Exception {
        loop.start(LOOP_THREAD, true);
        AtomicBoolean farTaskRan = new AtomicBoolean();
        CompletableFuture<Void> laterTaskRan = new CompletableFuture<>();

        scheduler.schedule(() -> farTaskRan.set(true), Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        scheduler.schedule(() -> laterTaskRan.complete(null), 20, TimeUnit.MILLISECONDS);
        laterTaskRan.get(60, TimeUnit.SECONDS);

        assertFalse(farTaskRan.get());
    }

    @Test
    void aPeriodBeyondTheClocksRangeFiresOnceInsteadOfAgainAtOnce() throws Exception {
        loop.start(LOOP_THREAD, true);
        AtomicInteger ticks = new AtomicInteger();
        CompletableFuture<Void> laterTaskRan = new CompletableFuture<>();

        scheduler.schedulePeriodically(ticks::incrementAndGet, 1, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        scheduler.schedule(() -> laterTaskRan.complete(null), 20, TimeUnit.MILLISECONDS);
        laterTaskRan.get(60, TimeUnit.SECONDS);

        assertEquals(1, ticks.get());
    }

    @Test
    void aClosedLoopsSchedulerIsDisposedAndRefusesTasks() {
        loop.close();

        assertTrue(scheduler.isDisposed());
        assertThrows(RejectedExecutionException.class, () -> scheduler.schedule(() -> {}));
    }

    @Test
    void aTaskAClosedLoopRefusesIsRejectedAndNotKeptByItsWorker() {
        Scheduler.Worker worker = scheduler.createWorker();
        loop.close();

        assertThrows(RejectedExecutionException.class, () -> worker.schedule(() -> {}));
        assertThrows(RejectedExecutionException.class, () -> worker.schedule(() -> {}, 1, TimeUnit.SECONDS));

        assertEquals(0, ((LoopScheduler.LoopWorker) worker).tasksHeld());
    }

    @Test
    void aDelayedTaskTheCloseCutsOffIsNotKeptByItsWorker() throws Exception {
        loop.start(LOOP_THREAD, true);
        Scheduler.Worker worker = scheduler.createWorker();
        loop.call(() -> worker.schedule(() -> {}, 1, TimeUnit.HOURS)).get(60, TimeUnit.SECONDS);

        loop.close(); // the task's timer is rejected, never fired

        assertEquals(0, ((LoopScheduler.LoopWorker) worker).tasksHeld());
    }
}
