package dev.weft.bench.netty;

import dev.weft.bench.load.CommandLine;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

/**
 * Starts a Netty native-epoll server with one event loop for both accepting and serving, bound to
 * 127.0.0.1, and keeps it up until it is killed or {@code --max-seconds} (default one hour) pass, so
 * that a forgotten server cannot outlive a benchmark for long. Called from a {@code main} thread,
 * which blocks here; the server's work runs on its event loop thread.
 */
final class NettyServer {

    private NettyServer() {}

    /**
     * Serves on {@code --port} with {@code childHandler} in each accepted channel's pipeline.
     *
     * @param name what to call the server in its one log line
     * @param args the main's arguments: {@code --port N [--max-seconds S] [--threads N]} (event
     *     loops, default 1)
     * @param childHandler the pipeline initializer of each accepted connection
     * @throws InterruptedException if interrupted while serving
     */
    static void serve(String name, String[] args, ChannelHandler childHandler) throws InterruptedException {
        CommandLine cl = CommandLine.parse(args);
        int port = cl.requiredInt("port");
        long maxSeconds = cl.integer("max-seconds", 3_600);
        int threads = (int) cl.integer("threads", 1);
        Epoll.ensureAvailability();
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(threads, EpollIoHandler.newFactory());
        try {
            Channel server = new ServerBootstrap()
                    .group(loop)
                    .channel(EpollServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(childHandler)
                    .bind(InetAddress.getLoopbackAddress(), port)
                    .sync()
                    .channel();
            System.out.println(name + " listening on " + server.localAddress() + " (netty epoll, " + threads + " event loops)");
            if (!server.closeFuture().await(maxSeconds, TimeUnit.SECONDS)) {
                System.out.println(name + " stopping after --max-seconds " + maxSeconds);
            }
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
