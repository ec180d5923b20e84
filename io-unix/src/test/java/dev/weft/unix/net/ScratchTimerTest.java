package dev.weft.unix.net;

import dev.weft.loop.Loop;
import dev.weft.unix.EngineKind;
import dev.weft.unix.Engines;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ScratchTimerTest {
    @Test
    void sleepFires() {
        try (Loop loop = Loop.builder().engine(Engines.open(EngineKind.EPOLL)).build()) {
            long t0 = System.nanoTime();
            loop.run(loop.sleep(Duration.ofMillis(100)));
            System.out.println("slept " + (System.nanoTime() - t0) / 1e6);
            loop.run(loop.sleep(Duration.ofMillis(300)));
            System.out.println("slept " + (System.nanoTime() - t0) / 1e6);
        }
    }
}
