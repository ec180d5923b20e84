package dev.weft.unix.buffer;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BufferPoolTest {

    @Test
    void acquiredBuffersHaveTheConfiguredSize() {
        try (BufferPool pool = new BufferPool(1024, 2, false)) {
            assertEquals(1024, pool.acquire().byteSize());
        }
    }

    @Test
    void aReleasedBufferIsHandedOutAgainWithoutAllocating() {
        try (BufferPool pool = new BufferPool(1024, 2, false)) {
            MemorySegment first = pool.acquire();
            pool.release(first);

            assertSame(first, pool.acquire());
        }
    }

    @Test
    void ownsItsWholeBuffersAndNoSliceAtAnyBufferSize() {
        for (int size : new int[] {64, 100}) { // a power of two, and not
            try (BufferPool pool = new BufferPool(size, 3, false)) {
                MemorySegment first = pool.acquire();
                MemorySegment second = pool.acquire();

                assertTrue(pool.owns(first) && pool.owns(second), "size " + size);
                assertFalse(pool.owns(first.asSlice(1)), "a slice, size " + size);
                assertFalse(pool.owns(second.asSlice(0, size / 2)), "a shorter slice, size " + size);
            }
        }
    }

    @Test
    void aBufferOfASizeThatIsNoPowerOfTwoGoesBackToItsOwnSlot() {
        try (BufferPool pool = new BufferPool(100, 3, false)) {
            MemorySegment first = pool.acquire();
            MemorySegment second = pool.acquire();
            pool.release(second);
            pool.release(first);

            assertSame(first, pool.acquire());
            assertSame(second, pool.acquire());
        }
    }

    @Test
    void distinctLeasesDoNotOverlap() {
        try (BufferPool pool = new BufferPool(64, 2, false)) {
            MemorySegment a = pool.acquire();
            MemorySegment b = pool.acquire();

            assertTrue(Math.abs(a.address() - b.address()) >= 64);
        }
    }

    @Test
    void tryAcquireReturnsNullWhenExhausted() {
        try (BufferPool pool = new BufferPool(64, 1, false)) {
            assertNotNull(pool.tryAcquire());

            assertNull(pool.tryAcquire());
        }
    }

    @Test
    void acquireWhenExhaustedSaysSo() {
        try (BufferPool pool = new BufferPool(64, 1, false)) {
            pool.acquire();

            IllegalStateException e = assertThrows(IllegalStateException.class, pool::acquire);
            assertTrue(e.getMessage().startsWith("BufferPool exhausted: all 1 buffers of 64 bytes are in use"));
        }
    }

    @Test
    void releasingASegmentFromElsewhereIsRejected() {
        try (BufferPool pool = new BufferPool(64, 1, false); Arena arena = Arena.ofConfined()) {
            MemorySegment foreign = arena.allocate(64);

            assertThrows(IllegalArgumentException.class, () -> pool.release(foreign));
        }
    }

    @Test
    void doubleReleaseIsDetectedEvenOutsideDebugMode() {
        try (BufferPool pool = new BufferPool(64, 2, false)) {
            MemorySegment buffer = pool.acquire();
            pool.release(buffer);

            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.release(buffer));
            assertTrue(e.getMessage().contains("released twice"));
        }
    }

    @Test
    void debugDoubleReleaseShowsWhereTheFirstReleaseWas() {
        try (BufferPool pool = new BufferPool(64, 2, true)) {
            MemorySegment buffer = pool.acquire();
            pool.release(buffer);

            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.release(buffer));
            assertTrue(e.getMessage().contains("released twice"));
            assertTrue(e.getCause().getMessage().contains("first released here"));
        }
    }

    @Test
    void debugDetectsReleaseOfAStaleLeaseAfterTheSlabWasReacquired() {
        try (BufferPool pool = new BufferPool(64, 1, true)) {
            MemorySegment stale = pool.acquire();
            pool.release(stale);
            MemorySegment current = pool.acquire();

            assertThrows(IllegalStateException.class, () -> pool.release(stale));
            pool.release(current); // the new owner is unaffected
        }
    }

    @Test
    void debugDetectsUseAfterRelease() {
        try (BufferPool pool = new BufferPool(64, 1, true)) {
            MemorySegment buffer = pool.acquire();
            pool.release(buffer);

            assertThrows(IllegalStateException.class, () -> buffer.set(ValueLayout.JAVA_BYTE, 0, (byte) 1));
        }
    }

    @Test
    void debugLeasesAreUsableWhileOwned() {
        try (BufferPool pool = new BufferPool(64, 1, true)) {
            MemorySegment buffer = pool.acquire();

            buffer.set(ValueLayout.JAVA_BYTE, 63, (byte) 7);

            assertEquals(7, buffer.get(ValueLayout.JAVA_BYTE, 63));
        }
    }

    @ParameterizedTest(name = "debug: {0}")
    @ValueSource(booleans = {false, true})
    void acquireAfterCloseFailsSayingThePoolIsClosedInsteadOfLendingFreedMemory(boolean debug) {
        BufferPool pool = new BufferPool(64, 2, debug);
        pool.close();

        IllegalStateException refused = assertThrows(IllegalStateException.class, pool::tryAcquire);

        assertTrue(refused.getMessage().contains("closed"), refused.getMessage());
    }

    @ParameterizedTest(name = "debug: {0}")
    @ValueSource(booleans = {false, true})
    void closeIsIdempotent(boolean debug) {
        BufferPool pool = new BufferPool(64, 2, debug);
        pool.close();

        assertDoesNotThrow(pool::close);
    }

    @ParameterizedTest(name = "debug: {0}")
    @ValueSource(booleans = {false, true})
    void anOwnerMayReleaseItsBufferAfterThePoolClosedAsAFlowClosingAtExitDoes(boolean debug) {
        BufferPool pool = new BufferPool(64, 2, debug);
        MemorySegment owned = pool.acquire();
        pool.close();

        assertDoesNotThrow(() -> pool.release(owned));
    }
}
