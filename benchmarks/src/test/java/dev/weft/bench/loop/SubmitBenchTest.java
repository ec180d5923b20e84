package dev.weft.bench.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.ToLongBiFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each row of SubmitBench returns only once the loop has run every task it handed over, for each
 * producer when there are two.
 */
class SubmitBenchTest {

    private static final int BATCH = LoopBenchSettings.BATCH;
    private final SubmitBench bench = new SubmitBench();

    @ParameterizedTest
    @ValueSource(strings = {"pure", "epoll"})
    void weftRunsTheWholeBatchOfOneProducer(String engine) {
        withWeft(engine, state -> assertEquals(BATCH, bench.throughput1_weft(state, new Producer())));
    }

    @ParameterizedTest
    @ValueSource(strings = {"pure", "epoll"})
    void weftRunsTheWholeBatchOfEachOfTwoProducers(String engine) {
        withWeft(engine, state -> assertTwoProducersComplete(state, bench::throughput2_weft));
    }

    @ParameterizedTest
    @ValueSource(strings = {"pure", "epoll"})
    void weftRunsTheLatencyTask(String engine) {
        withWeft(engine, state -> assertEquals(1, bench.latency_weft(state, new Producer())));
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll"})
    void nettyRunsTheWholeBatchOfOneProducer(String transport) {
        withNetty(transport, state -> assertEquals(BATCH, bench.throughput1_netty(state, new Producer())));
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll"})
    void nettyRunsTheWholeBatchOfEachOfTwoProducers(String transport) {
        withNetty(transport, state -> assertTwoProducersComplete(state, bench::throughput2_netty));
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll"})
    void nettyRunsTheLatencyTask(String transport) {
        withNetty(transport, state -> assertEquals(1, bench.latency_netty(state, new Producer())));
    }

    /** Two producers, three batches each, at the same time: each sees exactly its own tasks run. */
    private static <S> void assertTwoProducersComplete(S state, ToLongBiFunction<S, Producer> row) {
        CompletableFuture<Long> first = CompletableFuture.supplyAsync(() -> threeBatches(state, row));
        CompletableFuture<Long> second = CompletableFuture.supplyAsync(() -> threeBatches(state, row));
        assertEquals(3L * BATCH, first.join());
        assertEquals(3L * BATCH, second.join());
    }

    private static <S> long threeBatches(S state, ToLongBiFunction<S, Producer> row) {
        Producer producer = new Producer();
        row.applyAsLong(state, producer);
        row.applyAsLong(state, producer);
        return row.applyAsLong(state, producer);
    }

    private static void withWeft(String engine, Consumer<WeftLoopState> check) {
        WeftLoopState state = new WeftLoopState();
        state.engine = engine;
        state.start();
        try {
            check.accept(state);
        } finally {
            state.stop();
        }
    }

    private static void withNetty(String transport, Consumer<NettyLoopState> check) {
        NettyLoopState state = new NettyLoopState();
        state.transport = transport;
        state.start();
        try {
            check.accept(state);
        } finally {
            state.stop();
        }
    }
}
