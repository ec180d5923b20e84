package dev.weft.unix.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.unix.EngineKind;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import org.junit.jupiter.api.Test;

/** A connection accepted unregistered on one loop and adopted by another, once, or closed. */
class AcceptedSocketTest {

    private static Socket connect(TcpListener listener) throws IOException {
        Socket client = new Socket(InetAddress.getLoopbackAddress(),
                ((InetSocketAddress) listener.localAddress()).getPort());
        client.setSoTimeout(30_000);
        return client;
    }

    private static void assertClosedByServer(Socket client) throws IOException {
        try {
            assertEquals(-1, client.getInputStream().read());
        } catch (SocketException reset) {
            // a reset says the same
        }
    }

    @Test
    void anotherLoopAdoptsTheConnectionAndServesItAsAFlowOfItsOwn() throws IOException {
        try (Net acceptor = Net.open(EngineKind.EPOLL); Net worker = Net.open(EngineKind.EPOLL);
                TcpListener listener = acceptor.sockets.listen(Net.ANY_LOOPBACK); Socket client = connect(listener)) {
            AcceptedSocket accepted = acceptor.run(listener.acceptUnregistered());
            SocketFlow flow = worker.sockets.adopt(accepted);
            client.getOutputStream().write(42);
            Flow.Read read = worker.run(flow.read());
            assertEquals(1, ((Flow.Data) read).bytes().byteSize());
            worker.run(flow.write(Net.text("ok")));
            assertEquals('o', client.getInputStream().read());
            assertFalse(accepted.isPending());
        }
    }

    @Test
    void aSocketIsAdoptedOnlyOnce() throws IOException {
        try (Net net = Net.open(EngineKind.EPOLL); TcpListener listener = net.sockets.listen(Net.ANY_LOOPBACK);
                Socket client = connect(listener)) {
            AcceptedSocket accepted = net.run(listener.acceptUnregistered());
            net.sockets.adopt(accepted);
            assertThrows(IllegalStateException.class, () -> net.sockets.adopt(accepted));
            assertTrue(client.isConnected());
        }
    }

    @Test
    void closingASocketNobodyAdoptedClosesTheConnection() throws IOException {
        try (Net net = Net.open(EngineKind.EPOLL); TcpListener listener = net.sockets.listen(Net.ANY_LOOPBACK);
                Socket client = connect(listener)) {
            AcceptedSocket accepted = net.run(listener.acceptUnregistered());
            accepted.close();
            assertClosedByServer(client);
            assertThrows(IllegalStateException.class, () -> net.sockets.adopt(accepted));
        }
    }

    @Test
    void aLoopOnTheOtherEngineKindRefusesTheSocketAndClosesIt() throws IOException {
        try (Net acceptor = Net.open(EngineKind.EPOLL); Net worker = Net.open(EngineKind.NIO);
                TcpListener listener = acceptor.sockets.listen(Net.ANY_LOOPBACK); Socket client = connect(listener)) {
            AcceptedSocket accepted = acceptor.run(listener.acceptUnregistered());
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> worker.sockets.adopt(accepted));
            assertTrue(refused.getMessage().contains("same engine kind"), refused.getMessage());
            assertClosedByServer(client);
        }
    }

    @Test
    void bothKindsOfAcceptWaitingTogetherAreServedInTheOrderTheyWereMade() throws IOException {
        try (Net net = Net.open(EngineKind.EPOLL); TcpListener listener = net.sockets.listen(Net.ANY_LOOPBACK)) {
            Promise<AcceptedSocket> first = listener.acceptUnregistered();
            Promise<SocketFlow> second = listener.accept();
            assertTrue(first.isPending() && second.isPending());
            try (Socket one = connect(listener)) {
                AcceptedSocket accepted = net.run(first);
                assertTrue(second.isPending(), "the second accept waits for the second connection");
                try (Socket two = connect(listener)) {
                    assertInstanceOf(SocketFlow.class, net.run(second));
                    assertTrue(two.isConnected() && one.isConnected());
                }
                accepted.close();
            }
        }
    }
}
