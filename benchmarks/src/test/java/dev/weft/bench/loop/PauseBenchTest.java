package dev.weft.bench.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each row of PauseBench yields the whole {@value LoopBenchSettings#STEPS} times per operation. */
class PauseBenchTest {

    private final PauseBench bench = new PauseBench();

    @ParameterizedTest
    @ValueSource(strings = {"pure", "epoll", "nio"})
    void weftRunsEveryPauseOfTheChain(String engine) {
        WeftLoopState state = new WeftLoopState();
        state.engine = engine;
        state.start();
        try {
            assertEquals(LoopBenchSettings.STEPS, bench.pause_weft(state));
        } finally {
            state.stop();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"pure", "epoll", "nio"})
    void weftCallbackRunsEveryPause(String engine) {
        WeftLoopState state = new WeftLoopState();
        state.engine = engine;
        state.start();
        try {
            assertEquals(LoopBenchSettings.STEPS, bench.pause_weftCallback(state));
        } finally {
            state.stop();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll"})
    void nettyRunsEveryResubmission(String transport) {
        NettyLoopState state = new NettyLoopState();
        state.transport = transport;
        state.start();
        try {
            assertEquals(LoopBenchSettings.STEPS, bench.pause_netty(state));
        } finally {
            state.stop();
        }
    }

    @Test
    void virtualThreadYieldsEveryTime() throws InterruptedException {
        assertEquals(LoopBenchSettings.STEPS, bench.pause_virtualThread());
    }
}
