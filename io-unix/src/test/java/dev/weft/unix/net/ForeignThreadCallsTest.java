package dev.weft.unix.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.device.Flow;
import dev.weft.unix.EngineKind;
import java.lang.foreign.ValueLayout;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A socket's state-changing calls made from a thread other than its loop's are refused, always
 * (not only in debug mode), before they touch anything: a {@link WrongThreadException} naming
 * the loop's thread and the caller's, and the socket goes on as if the call had never been made.
 * Unchecked, such a call races the loop thread on the flow's queues and buffers, and a close
 * lets the kernel give the fd number to another file under a read in progress.
 */
class ForeignThreadCallsTest {

    private static final String FOREIGN = "a-foreign-thread";

    @SocketTest
    void aReadFromAForeignThreadIsRefusedNamingBothThreads(EngineKind kind) throws Exception {
        refusedAndHarmless(kind, "read", SocketFlow::read);
    }

    @SocketTest
    void aReadChunksFromAForeignThreadIsRefused(EngineKind kind) throws Exception {
        refusedAndHarmless(kind, "readChunks", flow -> flow.readChunks(chunk -> Flow.ChunkHandler.STOP));
    }

    @SocketTest
    void aWriteFromAForeignThreadIsRefused(EngineKind kind) throws Exception {
        refusedAndHarmless(kind, "write", flow -> flow.write(Net.text("from elsewhere")));
    }

    @SocketTest
    void aWritevFromAForeignThreadIsRefused(EngineKind kind) throws Exception {
        refusedAndHarmless(kind, "writev", flow -> flow.writev(List.of(Net.text("from elsewhere"))));
    }

    @SocketTest
    void aShutdownFromAForeignThreadIsRefused(EngineKind kind) throws Exception {
        refusedAndHarmless(kind, "shutdown", flow -> flow.shutdown(Flow.Direction.READ_WRITE));
    }

    @SocketTest
    void aCloseFromAForeignThreadIsRefusedAndTheFlowStaysOpen(EngineKind kind) throws Exception {
        refusedAndHarmless(kind, "close", SocketFlow::close);
    }

    @SocketTest
    void aListenersAcceptAndCloseFromAForeignThreadAreRefused(EngineKind kind) throws Exception {
        try (Net net = Net.open(kind)) {
            TcpListener listener = net.sockets.listen(Net.ANY_LOOPBACK);

            assertRefused(onForeignThread(listener::accept), "accept");
            assertRefused(onForeignThread(listener::close), "close");

            SocketFlow[] pair = net.connectedPair(listener); // the listener still accepts
            pair[0].close();
            pair[1].close();
            listener.close();
        }
    }

    @SocketTest
    void aUdpSocketsSendReceiveAndCloseFromAForeignThreadAreRefused(EngineKind kind) throws Exception {
        try (Net net = Net.open(kind)) {
            UdpSocket udp = net.sockets.bindUdp(Net.ANY_LOOPBACK);
            SocketAddress self = udp.localAddress();

            assertRefused(onForeignThread(() -> udp.send(Net.text("x"), self)), "send");
            assertRefused(onForeignThread(udp::receive), "receive");
            assertRefused(onForeignThread(udp::close), "close");

            net.run(udp.send(Net.text("still open"), self));
            udp.close();
        }
    }

    /**
     * Makes {@code call} on a connected flow from a foreign thread and checks that it was refused,
     * then that the flow works on: the peer's bytes still arrive in full and a write still goes out.
     */
    private static void refusedAndHarmless(EngineKind kind, String operation, Consumer<SocketFlow> call)
            throws Exception {
        try (Net net = Net.open(kind)) {
            TcpListener listener = net.sockets.listen(Net.ANY_LOOPBACK);
            SocketFlow[] pair = net.connectedPair(listener);
            SocketFlow client = pair[0];
            SocketFlow server = pair[1];

            Throwable refused = onForeignThread(() -> call.accept(server));

            assertRefused(refused, operation);
            assertFalse(server.isClosed(), "the refused call changed nothing");
            net.run(client.write(Net.text("ping")));
            assertEquals("ping", net.readString(server, 4));
            net.run(server.write(Net.text("pong")));
            Flow.Data back = assertInstanceOf(Flow.Data.class, net.run(client.read()));
            assertEquals("pong", new String(back.bytes().toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
            client.close();
            server.close();
            listener.close();
        }
    }

    private static void assertRefused(Throwable refused, String operation) {
        WrongThreadException wrongThread = assertInstanceOf(WrongThreadException.class, refused);
        String message = wrongThread.getMessage();
        assertTrue(message.contains(operation), message);
        assertTrue(message.contains(FOREIGN), "names the caller: " + message);
        assertTrue(message.contains(Thread.currentThread().getName()), "names the loop's thread: " + message);
    }

    /** Runs {@code call} on a new thread named {@link #FOREIGN}; what it threw, or null. */
    private static Throwable onForeignThread(Runnable call) throws Exception {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                call.run();
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        }, FOREIGN);
        thread.start();
        try {
            return outcome.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError(e);
        }
    }
}
