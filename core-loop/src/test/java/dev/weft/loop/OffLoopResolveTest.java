package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.LoopHooks;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The unsafe way across threads fails loudly without debug mode: a thread that runs no loop may
 * not resolve a promise that has callbacks while a loop runs (issue 10, item 4).
 */
class OffLoopResolveTest {

    private final Loop loop = Loop.builder().name("off-loop").build();
    private final List<Throwable> reported = new CopyOnWriteArrayList<>();

    @BeforeEach
    void recordAsyncExceptions() {
        LoopHooks.setAsyncExceptionHook(reported::add);
    }

    @AfterEach
    void close() {
        loop.close();
        LoopHooks.setAsyncExceptionHook(null);
    }

    /** On the loop thread: a pending promise with one callback, and its resolver. */
    private Resolver<Integer> pendingWithCallback() throws Exception {
        return loop.submit(() -> {
            Resolver<Integer> resolver = Promise.pending();
            resolver.promise().map(x -> x + 1);
            return Promise.of(resolver);
        }).get(30, TimeUnit.SECONDS);
    }

    private Throwable resolveOnPlainThread(Resolver<Integer> resolver) throws InterruptedException {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread plain = new Thread(() -> {
            try {
                resolver.resolve(1);
            } catch (Throwable failure) {
                thrown.set(failure);
            }
        }, "plain");
        plain.start();
        plain.join();
        return thrown.get();
    }

    @Test
    void resolvingFromAThreadThatRunsNoLoopThrowsAndLeavesThePromisePending() throws Exception {
        loop.start();
        Resolver<Integer> resolver = pendingWithCallback();

        Throwable thrown = resolveOnPlainThread(resolver);

        IllegalStateException failure = assertInstanceOf(IllegalStateException.class, thrown);
        assertTrue(failure.getMessage().contains("'plain', which runs no loop"), failure.getMessage());
        assertTrue(failure.getMessage().contains("Bridges.resolverFor"), failure.getMessage());
        assertTrue(loop.submit(() -> Promise.of(resolver.promise().isPending())).get(30, TimeUnit.SECONDS));
    }

    @Test
    void theFailureReachesTheAsyncExceptionHookEvenWhenACompletableFutureSwallowsIt() throws Exception {
        loop.start();
        Resolver<Integer> resolver = pendingWithCallback();
        CompletableFuture<Integer> source = new CompletableFuture<>();

        CompletableFuture<Void> dependent = source.thenAcceptAsync(resolver::resolve);
        source.complete(1);

        ExecutionException swallowed = assertThrows(ExecutionException.class, () -> dependent.get(30, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, swallowed.getCause());
        assertEquals(List.of(swallowed.getCause()), reported);
    }

    @Test
    void theLoopThreadStillResolvesItsPromises() throws Exception {
        loop.start();

        int value = loop.submit(() -> {
            Resolver<Integer> resolver = Promise.pending();
            Promise<Integer> next = resolver.promise().map(x -> x + 1);
            resolver.resolve(41);
            return next;
        }).get(30, TimeUnit.SECONDS);

        assertEquals(42, value);
        assertTrue(reported.isEmpty());
    }

    @Test
    void onceTheLoopIsClosedAPlainThreadMayResolveAgain() throws Exception {
        loop.start();
        Resolver<Integer> resolver = pendingWithCallback();
        loop.close();

        Throwable thrown = resolveOnPlainThread(resolver);

        assertSame(null, thrown);
        assertFalse(resolver.promise().isPending());
    }
}
