package dev.weft.unix.net;

import static dev.weft.unix.net.Net.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.unix.EngineKind;
import dev.weft.unix.libc.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A pollable fd that is not a socket, as a Flow ({@link Sockets#adoptDevice}). A pipe stands in
 * for a character device such as /dev/xen/xenbus: both are read with read(2), written with
 * write(2), and watched by epoll, and neither is a socket.
 */
class DeviceFlowTest {

    @Test
    void bytesWrittenToOneEndOfAPipeAreReadFromTheOther() {
        try (Net net = Net.open(EngineKind.EPOLL)) {
            Flow[] pipe = pipe(net);

            net.run(pipe[1].writev(List.of(text("one "), text("two"))));
            Flow.Read read = net.run(pipe[0].read());

            assertEquals("one two", string(read));
        }
    }

    @Test
    void aReadWaitsForTheDeviceToBecomeReadable() {
        try (Net net = Net.open(EngineKind.EPOLL)) {
            Flow[] pipe = pipe(net);
            Promise<Flow.Read> waiting = pipe[0].read();
            assertTrue(waiting.isPending(), "nothing written yet");

            net.run(pipe[1].write(text("late")));

            assertEquals("late", string(net.run(waiting)));
        }
    }

    @Test
    void writesBeyondWhatTheDeviceTakesWaitUntilItDrains() {
        try (Net net = Net.open(EngineKind.EPOLL)) {
            Flow[] pipe = pipe(net);
            int size = 1 << 20; // a pipe holds 64 KiB: most of this waits in the flow's queue
            MemorySegment big = Arena.ofAuto().allocate(size);
            for (int i = 0; i < size; i++) {
                big.set(ValueLayout.JAVA_BYTE, i, (byte) i);
            }

            Promise<Void> written = pipe[1].write(big);
            assertTrue(written.isPending(), "the pipe cannot take 1 MiB at once");
            long received = 0;
            long mismatches = 0;
            while (received < size) {
                MemorySegment bytes = ((Flow.Data) net.run(pipe[0].read())).bytes();
                for (long i = 0; i < bytes.byteSize(); i++) {
                    mismatches += bytes.get(ValueLayout.JAVA_BYTE, i) == (byte) (received + i) ? 0 : 1;
                }
                received += bytes.byteSize();
            }

            net.run(written);
            assertEquals(size, received);
            assertEquals(0, mismatches, "bytes arrive in order, unchanged");
        }
    }

    @Test
    void closingTheWritingEndIsEndOfStreamForTheReader() {
        try (Net net = Net.open(EngineKind.EPOLL)) {
            Flow[] pipe = pipe(net);

            net.run(pipe[1].close());

            assertSame(Flow.END_OF_STREAM, net.run(pipe[0].read()));
        }
    }

    @Test
    void closingTheFlowsClosesTheirFds() throws IOException {
        try (Net net = Net.open(EngineKind.EPOLL)) {
            long before = openFds();
            Flow[] pipe = pipe(net);
            long open = openFds();

            net.run(pipe[0].close());
            net.run(pipe[1].close());

            assertEquals(before + 2, open, "two pipe ends were open");
            assertEquals(before, openFds(), "both are closed again");
        }
    }

    @Test
    void theNioEngineRefusesARawFd() {
        try (Net net = Net.open(EngineKind.NIO)) {
            int[] fds = pipeFds();
            try {
                assertThrows(IllegalStateException.class, () -> net.sockets.adoptDevice(fds[0], "pipe"));
            } finally {
                Libc.close(fds[0]);
                Libc.close(fds[1]);
            }
        }
    }

    /** [read end, write end] of a new non-blocking pipe, each adopted as a flow. */
    private static Flow[] pipe(Net net) {
        int[] fds = pipeFds();
        return new Flow[] {net.sockets.adoptDevice(fds[0], "pipe[read]"), net.sockets.adoptDevice(fds[1], "pipe[write]")};
    }

    private static int[] pipeFds() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
            int r = Libc.pipe2(fds, Libc.O_NONBLOCK | Libc.O_CLOEXEC);
            assertEquals(0, r, "pipe2");
            return new int[] {fds.getAtIndex(ValueLayout.JAVA_INT, 0), fds.getAtIndex(ValueLayout.JAVA_INT, 1)};
        }
    }

    private static String string(Flow.Read read) {
        return new String(((Flow.Data) read).bytes().toArray(ValueLayout.JAVA_BYTE), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
