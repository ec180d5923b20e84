package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SystemClockTest {

    @Test
    void nanoTimeNeverGoesBack() {
        Clock clock = SystemClock.INSTANCE;

        long first = clock.nanoTime();
        long second = clock.nanoTime();

        assertTrue(second >= first);
    }
}
