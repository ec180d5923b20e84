package dev.weft.bench.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.Promise;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** EchoUnderPauseBench echoes the byte, and with load=pause the chain pauses meanwhile. */
class EchoUnderPauseBenchTest {

    private final EchoUnderPauseBench bench = new EchoUnderPauseBench();

    @ParameterizedTest
    @CsvSource({"epoll, 1", "epoll, 64", "epoll, 256", "nio, 1", "nio, 64", "nio, 256"})
    void theEchoAnswersWhileTheChainPauses(String engine, int maxPauseRounds) throws Exception {
        EchoUnderPauseBench.Echo echo = new EchoUnderPauseBench.Echo();
        echo.engine = engine;
        echo.maxPauseRounds = maxPauseRounds;
        echo.load = "pause";
        echo.start();
        try {
            for (int i = 0; i < 100; i++) {
                assertEquals(42, bench.echo_weft(echo));
            }
            long pauses = echo.loop.submit(() -> Promise.of(echo.pauses)).get();
            assertTrue(pauses > 0, "the chain never paused");
        } finally {
            echo.stop();
        }
    }
}
