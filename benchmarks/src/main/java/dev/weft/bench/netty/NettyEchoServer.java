package dev.weft.bench.netty;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;

/**
 * Netty's side of {@code ./weft bench echo}: writes back every byte it reads, flushing once per read
 * burst. All handlers run on the one event loop.
 *
 * <p>Usage: {@code NettyEchoServer --port N [--max-seconds 3600]}
 */
public final class NettyEchoServer {

    private NettyEchoServer() {}

    /**
     * Serves until killed or {@code --max-seconds} pass.
     *
     * @param args {@code --port N [--max-seconds S]}
     * @throws InterruptedException if interrupted while serving
     */
    public static void main(String[] args) throws InterruptedException {
        NettyServer.serve("netty-echo", args, new EchoHandler());
    }

    /** Hands each read buffer straight back to the pipeline's write path. */
    @ChannelHandler.Sharable
    private static final class EchoHandler extends BurstFlushingHandler {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg, ctx.voidPromise());
        }
    }
}
