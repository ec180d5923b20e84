package dev.weft.bench.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.Promise;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** EchoUnderPauseBench echoes the byte, and with load=pause (or pauseThen) the load pauses meanwhile. */
class EchoUnderPauseBenchTest {

    private final EchoUnderPauseBench bench = new EchoUnderPauseBench();

    @ParameterizedTest
    @CsvSource({"epoll, 1, pause", "epoll, 64, pause", "epoll, 256, pause", "nio, 1, pause", "nio, 64, pause",
            "nio, 256, pause", "epoll, 256, pauseThen", "nio, 256, pauseThen"})
    void theEchoAnswersWhileTheLoadPauses(String engine, int maxPauseRounds, String load) throws Exception {
        EchoUnderPauseBench.Echo echo = new EchoUnderPauseBench.Echo();
        echo.engine = engine;
        echo.maxPauseRounds = maxPauseRounds;
        echo.load = load;
        echo.start();
        try {
            for (int i = 0; i < 100; i++) {
                assertEquals(42, bench.echo_weft(echo));
            }
            long pauses = echo.loop.submit(() -> Promise.of(echo.pauses)).get();
            assertTrue(pauses > 0, "the load never paused");
        } finally {
            echo.stop();
        }
    }
}
