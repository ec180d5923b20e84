package dev.weft.promise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serial;

/**
 * Assertions on a promise's state, and the two distinct failures the tests use (Lwt's test suite
 * uses {@code Exception} and {@code Exit} the same way). Confined to the test thread.
 */
final class PromiseAssertions {
    private PromiseAssertions() {}

    /** A test failure, distinct from {@link X}. */
    static final class E extends RuntimeException {
        @Serial
        private static final long serialVersionUID = 1L;

        E() {
            super("E");
        }
    }

    /** A second test failure, distinct from {@link E}. */
    static final class X extends RuntimeException {
        @Serial
        private static final long serialVersionUID = 1L;

        X() {
            super("X");
        }
    }

    static void assertFulfilled(Object expected, Promise<?> p) {
        assertTrue(p.isFulfilled(), () -> "expected fulfilled with " + expected + " but was " + p);
        assertEquals(expected, p.value());
    }

    static void assertRejected(Throwable expected, Promise<?> p) {
        assertTrue(p.isRejected(), () -> "expected rejected with " + expected + " but was " + p);
        assertSame(expected, p.failure());
    }

    static void assertPending(Promise<?> p) {
        assertTrue(p.isPending(), () -> "expected pending but was " + p);
    }

    static void assertCancelled(Promise<?> p) {
        assertTrue(p.isRejected(), () -> "expected cancelled but was " + p);
        assertInstanceOf(Cancelled.class, p.failure());
        assertTrue(p.isCancelled());
    }
}
