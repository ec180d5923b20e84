package dev.weft.bench.loop;

import io.netty.channel.EventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A Netty event loop (a one-thread {@link MultiThreadIoEventLoopGroup}) for the whole trial, shared
 * by every benchmark thread. Set up and torn down by JMH; benchmark threads reach the loop only
 * through {@code execute}.
 */
@State(Scope.Benchmark)
public class NettyLoopState {

    /** The I/O handler: {@code nio} (a java.nio Selector) or {@code epoll} (Netty's JNI transport). */
    @Param({"nio", "epoll"})
    public String transport;

    /** The group of one loop; made by {@link #start()}. */
    MultiThreadIoEventLoopGroup group;
    /** Its only loop. */
    EventLoop loop;

    /** Creates the state; JMH calls this. */
    public NettyLoopState() {}

    /** Starts the group's one loop with the chosen I/O handler. */
    @Setup(Level.Trial)
    public void start() {
        IoHandlerFactory handler = switch (transport) {
            case "nio" -> NioIoHandler.newFactory();
            case "epoll" -> EpollIoHandler.newFactory();
            default -> throw new IllegalArgumentException("transport=" + transport + ": use nio or epoll");
        };
        group = new MultiThreadIoEventLoopGroup(1, handler);
        loop = group.next();
    }

    /** Shuts the group down at once and waits for its thread to end. */
    @TearDown(Level.Trial)
    public void stop() {
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
