package dev.weft.bench.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each row of PauseBench yields the whole {@value LoopBenchSettings#STEPS} (or {@value PauseBench#LONG_STEPS}) times per operation. */
class PauseBenchTest {

    private final PauseBench bench = new PauseBench();

    @ParameterizedTest
    @ValueSource(strings = {"pure", "epoll", "nio"})
    void weftRunsEveryPauseOfTheChain(String engine) {
        assertEquals(LoopBenchSettings.STEPS, onWeftLoop(engine, bench::pause_weft));
    }

    @ParameterizedTest
    @ValueSource(strings = {"pure", "epoll", "nio"})
    void weftCallbackRunsEveryPause(String engine) {
        assertEquals(LoopBenchSettings.STEPS, onWeftLoop(engine, bench::pause_weftCallback));
    }

    @ParameterizedTest
    @ValueSource(strings = {"pure", "epoll", "nio"})
    void weftCallbackLongRunsEveryPause(String engine) {
        assertEquals(PauseBench.LONG_STEPS, onWeftLoop(engine, bench::pauseLong_weftCallback));
    }

    @ParameterizedTest
    @ValueSource(strings = {"pure", "epoll", "nio"})
    void weftTaskRunsEveryPause(String engine) {
        assertEquals(LoopBenchSettings.STEPS, onWeftLoop(engine, bench::pause_weftTask));
    }

    @ParameterizedTest
    @ValueSource(strings = {"pure", "epoll", "nio"})
    void weftTaskLongRunsEveryPause(String engine) {
        assertEquals(PauseBench.LONG_STEPS, onWeftLoop(engine, bench::pauseLong_weftTask));
    }

    /** Runs one operation of a Weft row on a loop with {@code engine}, then stops the loop. */
    private static int onWeftLoop(String engine, Function<WeftLoopState, Integer> row) {
        WeftLoopState state = new WeftLoopState();
        state.engine = engine;
        state.start();
        try {
            return row.apply(state);
        } finally {
            state.stop();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll"})
    void nettyRunsEveryResubmission(String transport) {
        assertEquals(LoopBenchSettings.STEPS, onNettyLoop(transport, bench::pause_netty));
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll"})
    void nettyLongRunsEveryResubmission(String transport) {
        assertEquals(PauseBench.LONG_STEPS, onNettyLoop(transport, bench::pauseLong_netty));
    }

    /** Runs one operation of a Netty row on an event loop with {@code transport}, then stops it. */
    private static int onNettyLoop(String transport, Function<NettyLoopState, Integer> row) {
        NettyLoopState state = new NettyLoopState();
        state.transport = transport;
        state.start();
        try {
            return row.apply(state);
        } finally {
            state.stop();
        }
    }

    @Test
    void virtualThreadYieldsEveryTime() throws InterruptedException {
        assertEquals(LoopBenchSettings.STEPS, bench.pause_virtualThread());
    }
}
