package dev.weft.bench.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Netty's side of {@code ./weft bench http}: {@code GET /plaintext} answers {@code Hello, World!} as
 * text/plain, anything else 404. Keep-alive by default; pipelined requests are answered in order and
 * flushed once per read burst, as Netty's own benchmarks do. All handlers run on the one event loop.
 *
 * <p>Usage: {@code NettyHttpServer --port N [--max-seconds 3600]}
 */
public final class NettyHttpServer {

    private NettyHttpServer() {}

    /**
     * Serves until killed or {@code --max-seconds} pass.
     *
     * @param args {@code --port N [--max-seconds S]}
     * @throws InterruptedException if interrupted while serving
     */
    public static void main(String[] args) throws InterruptedException {
        PlaintextHandler handler = new PlaintextHandler();
        NettyServer.serve("netty-http", args, new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpServerCodec(), handler);
            }
        });
    }

    /** Answers each request as it is decoded; writes are flushed when the read burst ends. */
    @ChannelHandler.Sharable
    private static final class PlaintextHandler extends BurstFlushingHandler {

        private static final ByteBuf HELLO = Unpooled.unreleasableBuffer(
                Unpooled.directBuffer().writeBytes("Hello, World!".getBytes(StandardCharsets.US_ASCII)));

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpRequest request) {
                    respond(ctx, request);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter
                .ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH)
                .withZone(ZoneOffset.UTC);

        // One event loop: a plain cache, refreshed once a second, as Weft's server does.
        private static long dateSecond = Long.MIN_VALUE;
        private static String dateText = "";

        /** The Date field (RFC 9110 asks origin servers with a clock for it), as Weft sends it. */
        private static String date() {
            long second = System.currentTimeMillis() / 1000;
            if (second != dateSecond) {
                dateSecond = second;
                dateText = IMF_FIXDATE.format(Instant.ofEpochSecond(second));
            }
            return dateText;
        }

        private static void respond(ChannelHandlerContext ctx, HttpRequest request) {
            boolean found = "/plaintext".equals(request.uri());
            FullHttpResponse response = found
                    ? new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, HELLO.duplicate())
                    : new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND);
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                    .set(HttpHeaderNames.DATE, date());
            if (HttpUtil.isKeepAlive(request)) {
                ctx.write(response, ctx.voidPromise());
            } else {
                ctx.write(response).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
