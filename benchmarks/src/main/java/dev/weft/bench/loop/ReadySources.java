package dev.weft.bench.loop;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.unix.epoll.EpollEngine;
import dev.weft.unix.nio.NioEngine;
import dev.weft.unix.socket.NativeSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@link #count()} connected Unix-domain socket pairs, each with one byte that is never read, so
 * that every poll finds all of them readable (both engines are level-triggered), watched by a
 * loop that the benchmark thread drives with {@code runOnce(0)}. No network stack, no promise:
 * the handler counts the call. Confined to the benchmark thread, which is the loop thread (JMH
 * runs a thread-scoped state's setup on the thread that uses it).
 */
@State(Scope.Thread)
public abstract class ReadySources {

    /** The engine: {@code epoll} (io-unix on epoll_wait) or {@code nio} (a java.nio Selector). */
    @Param({"epoll", "nio"})
    public String engine;

    /** The loop; it owns the engine. */
    Loop loop;
    /** Handler calls so far; a field the handler writes, so the call cannot be optimised away. */
    long handled;

    private final Engine.ReadyHandler countIt = events -> handled++;
    private final List<AutoCloseable> opened = new ArrayList<>();
    private Path directory;

    /** Creates the state; JMH calls the subclass's constructor. */
    protected ReadySources() {}

    /** How many ready sources the loop watches. */
    abstract int count();

    /** Opens the pairs, writes one byte into each, and registers the readable ends. */
    @Setup(Level.Trial)
    public void open() throws IOException {
        directory = Files.createTempDirectory("weft-ready-sources");
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(directory.resolve("listener"));
        switch (engine) {
            case "epoll" -> openEpoll(address);
            case "nio" -> openNio(address);
            default -> throw new IllegalArgumentException("engine=" + engine + ": use epoll or nio");
        }
    }

    private void openEpoll(UnixDomainSocketAddress address) {
        EpollEngine epoll = new EpollEngine();
        loop = Loop.builder().name("ready-sources").engine(epoll).build();
        MemorySegment oneByte = Arena.ofAuto().allocate(1);
        NativeSocket listener = keep(NativeSocket.stream(StandardProtocolFamily.UNIX));
        listener.bind(address);
        listener.listen(count());
        for (int i = 0; i < count(); i++) {
            NativeSocket client = keep(NativeSocket.stream(StandardProtocolFamily.UNIX));
            if (!client.connect(address)) {
                throw new IllegalStateException("a Unix-domain connect did not complete at once");
            }
            NativeSocket server = keep(listener.accept());
            if (client.write(oneByte) != 1) {
                throw new IllegalStateException("could not write the byte that keeps the pair readable");
            }
            loop.register(server.fd(), Engine.READABLE, countIt);
        }
    }

    private void openNio(UnixDomainSocketAddress address) throws IOException {
        NioEngine nio = new NioEngine();
        loop = Loop.builder().name("ready-sources").engine(nio).build();
        ServerSocketChannel listener = keep(ServerSocketChannel.open(StandardProtocolFamily.UNIX));
        listener.bind(address, count());
        for (int i = 0; i < count(); i++) {
            SocketChannel client = keep(SocketChannel.open(address));
            SocketChannel server = keep(listener.accept());
            client.write(ByteBuffer.wrap(new byte[] {1}));
            loop.register(nio.attach(server), Engine.READABLE, countIt);
        }
    }

    private <T extends AutoCloseable> T keep(T resource) {
        opened.add(resource);
        return resource;
    }

    /** Closes the loop (and with it the engine), then every socket, then the directory. */
    @TearDown(Level.Trial)
    public void close() throws IOException {
        loop.close();
        for (AutoCloseable resource : opened.reversed()) {
            try {
                resource.close();
            } catch (Exception e) {
                throw new UncheckedIOException(new IOException("closing " + resource, e));
            }
        }
        opened.clear();
        Files.deleteIfExists(directory.resolve("listener"));
        Files.deleteIfExists(directory);
    }
}
