package dev.weft.unix.blocking;

import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A file as a {@link Flow}: reads stream it from the start in chunks, writes go to the end (or
 * where the open options say), each system call made on a {@link BlockingPool} thread, since
 * Linux offers no readiness for regular files. Also the whole-file helpers {@link #readAll},
 * {@link #writeAll} and the DNS helper {@link #lookup}, built the same way.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b> for every method; the I/O itself runs on the pool.
 *
 * <p><b>Buffers.</b> A read's {@link Flow.Data} is a slice of the flow's own read buffer (in a
 * shared arena, since a pool thread fills it), lent until the next read or close. A segment given
 * to {@code write} must not change until its promise resolves. Writes run one after the other in
 * the order issued; a read may run alongside them (it reads at its own position).
 *
 * <p>{@code shutdown} only refuses further reads or writes (a file has no half-close); {@code
 * close} refuses new operations, rejects a pending read (when its call returns: a pool thread
 * cannot be stopped mid-call) and writes not yet started with {@link ClosedChannelException},
 * waits for the calls in progress, then closes the channel and frees the buffer.
 */
public final class FileFlow implements Flow {

    /** Bytes per read: the most one {@link #read()} returns. */
    public static final int CHUNK = 64 * 1024;

    private final BlockingPool pool;
    private final FileChannel channel;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer = arena.allocate(CHUNK, 64);
    private long readPosition;
    private Promise<Read> reading;
    private Promise<Void> writes = Promise.unit();
    private boolean readShut;
    private boolean writeShut;
    private boolean closed;

    private FileFlow(BlockingPool pool, FileChannel channel) {
        this.pool = pool;
        this.channel = channel;
    }

    /**
     * Opens {@code path} (on the pool) with {@code options}, as {@link FileChannel#open} does;
     * no options means read-only.
     */
    public static Promise<FileFlow> open(BlockingPool pool, Path path, OpenOption... options) {
        return pool.detach(() -> FileChannel.open(path, options)).map(channel -> new FileFlow(pool, channel));
    }

    /** The whole content of {@code path}, read on the pool. */
    public static Promise<byte[]> readAll(BlockingPool pool, Path path) {
        return pool.detach(() -> java.nio.file.Files.readAllBytes(path));
    }

    /** Writes {@code bytes} to {@code path} on the pool, creating or truncating it. */
    public static Promise<Void> writeAll(BlockingPool pool, Path path, MemorySegment bytes) {
        return pool.detach(() -> {
            try (FileChannel out = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(out, bytes);
            }
            return null;
        });
    }

    /** The addresses of {@code host}, looked up on the pool (the JDK's resolver blocks). */
    public static Promise<List<InetAddress>> lookup(BlockingPool pool, String host) {
        return pool.detach(() -> List.of(InetAddress.getAllByName(host)));
    }

    /**
     * The next chunk of the file (at most {@value #CHUNK} bytes), or end of stream at its end.
     * Rejected with {@link IllegalStateException} if a read is pending, with
     * {@link ClosedChannelException} after or during close, and with the IOException of the read.
     */
    @Override
    public Promise<Read> read() {
        if (closed) {
            return Promise.rejected(new ClosedChannelException());
        }
        if (reading != null && reading.isPending()) {
            return Promise.rejected(new IllegalStateException("a read is already pending on this file"));
        }
        if (readShut) {
            return Promise.of(END_OF_STREAM);
        }
        long position = readPosition;
        Promise<Integer> read = pool.detach(() -> channel.read(buffer.asByteBuffer(), position));
        reading = read.flatMap(n -> {
            if (closed) {
                return Promise.rejected(new ClosedChannelException());
            }
            if (n < 0) {
                return Promise.of(END_OF_STREAM);
            }
            readPosition += n;
            return Promise.of(new Data(buffer.asSlice(0, n)));
        });
        return reading;
    }

    /** Appends {@code bytes} (after the writes issued before); fulfilled once all are written. */
    @Override
    public Promise<Void> write(MemorySegment bytes) {
        return writev(List.of(bytes));
    }

    /** Writes the segments in order after the writes issued before. */
    @Override
    public Promise<Void> writev(List<MemorySegment> segments) {
        if (closed || writeShut) {
            return Promise.rejected(new ClosedChannelException());
        }
        List<MemorySegment> copy = List.copyOf(segments);
        Promise<Void> write = writes.recover(ignored -> Promise.unit()).flatMap(v -> closed
                ? Promise.rejected(new ClosedChannelException())
                : pool.detach(() -> {
                    for (MemorySegment segment : copy) {
                        writeFully(channel, segment);
                    }
                    return null;
                }));
        writes = write;
        return write;
    }

    /** Refuses further reads ({@code READ}), writes ({@code WRITE}) or both. */
    @Override
    public Promise<Void> shutdown(Direction direction) {
        readShut |= direction != Direction.WRITE;
        writeShut |= direction != Direction.READ;
        return Promise.unit();
    }

    /**
     * Closes the file once the call in progress has finished; fulfilled then. Idempotent (a
     * second call is fulfilled at once).
     */
    @Override
    public Promise<Void> close() {
        if (closed) {
            return Promise.unit();
        }
        closed = true;
        Promise<Void> read = reading != null ? reading.<Void>map(ignored -> null) : Promise.unit();
        Promise<Void> inProgress = Promise.join(List.of(
                read.recover(ignored -> Promise.unit()), writes.recover(ignored -> Promise.unit())));
        return inProgress
                .flatMap(v -> pool.<Void>detach(() -> {
                    channel.close();
                    return null;
                }))
                .andFinally(() -> {
                    arena.close();
                    return Promise.unit();
                });
    }

    private static void writeFully(FileChannel out, MemorySegment bytes) throws java.io.IOException {
        ByteBuffer view = bytes.asByteBuffer();
        while (view.hasRemaining()) {
            out.write(view);
        }
    }
}
