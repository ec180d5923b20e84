package dev.weft.promise;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.promise.PromiseAssertions.E;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * ignoreResult (Lwt 5's ignore_result): an already-rejected promise throws at once; a later
 * rejection goes to the async-exception hook; a fulfilment is ignored either way.
 */
class IgnoreResultTest {
    @RegisterExtension
    final AsyncExceptionRecorder hook = new AsyncExceptionRecorder();

    @Test
    void anAlreadyRejectedPromiseThrowsItsFailureAtOnce() {
        E failure = new E();

        E thrown = assertThrows(E.class, () -> Promise.ignoreResult(Promise.rejected(failure)));

        assertSame(failure, thrown);
        assertEquals(List.of(), hook.received());
    }

    @Test
    void anAlreadyRejectedPromiseWithACheckedFailureThrowsItWrapped() {
        IOException failure = new IOException("disk gone");

        CompletionException thrown = assertThrows(CompletionException.class,
                () -> Promise.ignoreResult(Promise.rejected(failure)));

        assertSame(failure, thrown.getCause());
    }

    @Test
    void anAlreadyCancelledPromiseThrowsCancelled() {
        Resolver<Void> task = Promise.task();
        task.promise().cancel();

        assertThrows(Cancelled.class, () -> Promise.ignoreResult(task.promise()));
    }

    @Test
    void aLaterRejectionGoesToTheAsyncExceptionHook() {
        Resolver<String> r = Promise.pending();
        assertDoesNotThrow(() -> Promise.ignoreResult(r.promise()));
        E failure = new E();

        r.reject(failure);

        assertEquals(List.of(failure), hook.received());
    }

    @Test
    void aFulfilmentNowOrLaterIsIgnored() {
        Resolver<String> r = Promise.pending();
        assertDoesNotThrow(() -> Promise.ignoreResult(Promise.of("now")));
        Promise.ignoreResult(r.promise());

        r.resolve("later");

        assertEquals(List.of(), hook.received());
    }
}
