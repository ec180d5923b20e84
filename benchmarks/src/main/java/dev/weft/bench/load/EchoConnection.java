package dev.weft.bench.load;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * One ping-pong connection of {@link EchoLoad}: sends a message, reads its echo back whole, checks
 * it, and reports the round trip. Confined to the load loop's thread.
 */
final class EchoConnection {

    private final SocketChannel channel;
    private final ByteBuffer message;
    private final ByteBuffer echo;
    private long sentAt;

    EchoConnection(SocketChannel channel, ByteBuffer message) {
        this.channel = channel;
        this.message = message.duplicate();
        this.echo = ByteBuffer.allocateDirect(message.remaining());
    }

    SocketChannel channel() {
        return channel;
    }

    /** Starts a round trip; returns false if the kernel took only part of the message. */
    boolean send(long now) throws IOException {
        sentAt = now;
        message.rewind();
        echo.clear();
        return flush();
    }

    /** Writes what is left of the message; returns true once all of it is written. */
    boolean flush() throws IOException {
        channel.write(message);
        return !message.hasRemaining();
    }

    /**
     * Reads what has arrived; returns the round trip in nanoseconds once the whole echo is in, else -1.
     *
     * @throws IOException if the server closed the connection or echoed different bytes
     */
    long receive(long now) throws IOException {
        if (channel.read(echo) < 0) {
            throw new IOException("the echo server closed a connection mid round trip; is it still up?");
        }
        if (echo.hasRemaining()) {
            return -1;
        }
        echo.flip();
        message.rewind();
        if (!echo.equals(message)) {
            throw new IOException("the echo server sent back different bytes than it was sent");
        }
        return now - sentAt;
    }
}
