package dev.weft.bench.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * What both peer servers do alike: writes made while reading are flushed once when the read burst
 * ends (one syscall for many responses, as Netty's own benchmarks do), and a failing connection is
 * closed. Runs on the channel's event loop.
 */
abstract class BurstFlushingHandler extends ChannelInboundHandlerAdapter {

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
