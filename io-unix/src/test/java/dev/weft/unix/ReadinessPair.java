package dev.weft.unix;

import dev.weft.loop.Engine;
import dev.weft.unix.epoll.EpollEngine;
import dev.weft.unix.libc.Libc;
import dev.weft.unix.nio.NioEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;

/**
 * Test fixture: two connected sources of one engine, a reader and a writer, in whatever form the
 * engine takes sources (a socketpair's fds for epoll, a Pipe's channels for NIO).
 */
abstract class ReadinessPair implements AutoCloseable {

    /** The source that becomes readable after {@link #send()}. */
    final int reader;
    /** A source that is writable from the start. */
    final int writer;

    private ReadinessPair(int reader, int writer) {
        this.reader = reader;
        this.writer = writer;
    }

    /** Opens an engine of the given kind. */
    static Engine engine(EngineKind kind) {
        return Engines.open(kind);
    }

    /** Opens a pair whose sources belong to {@code engine}. */
    static ReadinessPair open(Engine engine) {
        return switch (engine) {
            case EpollEngine e -> new Fds();
            case NioEngine nio -> new Channels(nio, openPipe());
            default -> throw new IllegalArgumentException("no fixture for " + engine);
        };
    }

    /** Writes one byte from the writer side, making the reader readable. */
    abstract void send();

    /** Closes both ends; unregister them first. */
    @Override
    public abstract void close();

    private static Pipe openPipe() {
        try {
            return Pipe.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A Unix socketpair: reader is one end, writer the other. */
    private static final class Fds extends ReadinessPair {
        Fds() {
            this(socketpair());
        }

        private Fds(int[] fds) {
            super(fds[0], fds[1]);
        }

        private static int[] socketpair() {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
                int r = Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, 0, fds);
                if (r < 0) {
                    throw ErrnoException.of("socketpair", "AF_UNIX", -r);
                }
                return new int[] {fds.getAtIndex(ValueLayout.JAVA_INT, 0), fds.getAtIndex(ValueLayout.JAVA_INT, 1)};
            }
        }

        @Override
        void send() {
            try (Arena arena = Arena.ofConfined()) {
                long r = Libc.write(writer, arena.allocate(1), 1);
                if (r != 1) {
                    throw ErrnoException.of("write", "fd=" + writer, (int) -r);
                }
            }
        }

        @Override
        public void close() {
            Libc.close(reader);
            Libc.close(writer);
        }
    }

    /** A java.nio Pipe: reader is its source channel, writer its sink channel. */
    private static final class Channels extends ReadinessPair {
        private final Pipe pipe;

        Channels(NioEngine engine, Pipe pipe) {
            super(engine.attach(pipe.source()), engine.attach(pipe.sink()));
            this.pipe = pipe;
        }

        @Override
        void send() {
            try {
                pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            try {
                pipe.source().close();
                pipe.sink().close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
