package dev.weft.bench.loop;

import dev.weft.loop.Loop;
import dev.weft.loop.PureEngine;
import dev.weft.unix.EngineKind;
import dev.weft.unix.Engines;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A Weft loop running on a thread of its own for the whole trial, shared by every benchmark
 * thread. Set up and torn down by JMH; benchmark threads reach the loop only through {@code
 * execute} and {@code submit}.
 */
@State(Scope.Benchmark)
public class WeftLoopState {

    /**
     * The engine: {@code pure} (park/unpark, timers and wakeups only), {@code epoll} or {@code nio}
     * (io-unix).
     */
    @Param({"pure", "epoll", "nio"})
    public String engine;

    /** The loop; started by {@link #start()}. */
    Loop loop;

    /** Creates the state; JMH calls this. */
    public WeftLoopState() {}

    /** Starts the loop on a daemon thread with the chosen engine. */
    @Setup(Level.Trial)
    public void start() {
        loop = Loop.builder().name("weft-bench-loop").engine(switch (engine) {
            case "pure" -> new PureEngine();
            case "epoll" -> Engines.open(EngineKind.EPOLL);
            case "nio" -> Engines.open(EngineKind.NIO);
            default -> throw new IllegalArgumentException("engine=" + engine + ": use pure, epoll or nio");
        }).build();
        loop.start("weft-bench-loop", true);
    }

    /** Closes the loop and waits for its thread to end. */
    @TearDown(Level.Trial)
    public void stop() {
        loop.close();
    }
}
