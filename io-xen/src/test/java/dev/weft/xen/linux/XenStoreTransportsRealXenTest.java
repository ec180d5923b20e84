package dev.weft.xen.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.unix.EngineKind;
import dev.weft.unix.Engines;
import dev.weft.unix.net.Sockets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Xenstore over its two Linux transports, each a Flow on an epoll loop: xenstored's Unix socket
 * and /dev/xen/xenbus. The messages are written out by hand from xs_wire.h (a 16-byte header of
 * type, request id, transaction id and length, then the payload), so these test the transports,
 * not a client. Needs dom0 with xenstored running: tagged real-xen, run by {@code ./weft test --xen}.
 */
@Tag("real-xen")
class XenStoreTransportsRealXenTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final int XS_DIRECTORY = 1;
    private static final int XS_READ = 2;
    private static final int XS_WRITE = 11;
    private static final int XS_RM = 13;
    private static final int XS_ERROR = 16;

    private long fdsBefore;
    private Loop loop;
    private Sockets sockets;
    private int nextRequest = 1;

    @BeforeEach
    void openLoop() throws IOException {
        fdsBefore = openFds();
        Engine engine = Engines.open(EngineKind.EPOLL);
        loop = Loop.builder().engine(engine).build();
        sockets = Sockets.on(loop, engine);
    }

    @AfterEach
    void closeLoop() throws IOException {
        loop.close();
        assertEquals(fdsBefore, openFds(), "the loop and every flow closed their fds");
    }

    @Test
    void writeReadAndDirectoryOverXenstoredsUnixSocket() {
        Flow flow = run(XenStoreFlows.connectSocket(sockets, PATIENCE));

        writeReadAndList(flow, "/weft-test/socket");

        run(flow.close());
    }

    @Test
    void writeReadAndDirectoryOverTheXenbusDevice() {
        Flow flow = XenStoreFlows.openXenbus(sockets);

        writeReadAndList(flow, "/weft-test/xenbus");

        run(flow.close());
    }

    @Test
    void aMissingKeyIsAnXsErrorNamingEnoentOnBothTransports() {
        Flow socket = run(XenStoreFlows.connectSocket(sockets, PATIENCE));
        Flow xenbus = XenStoreFlows.openXenbus(sockets);

        Reply overSocket = request(socket, XS_READ, "/weft-test/no-such-key\0");
        Reply overXenbus = request(xenbus, XS_READ, "/weft-test/no-such-key\0");

        assertEquals(new Reply(XS_ERROR, "ENOENT"), overSocket.withoutNul());
        assertEquals(new Reply(XS_ERROR, "ENOENT"), overXenbus.withoutNul());
        run(socket.close());
        run(xenbus.close());
    }

    private void writeReadAndList(Flow flow, String key) {
        String parent = key.substring(0, key.lastIndexOf('/'));
        String name = key.substring(key.lastIndexOf('/') + 1);

        Reply written = request(flow, XS_WRITE, key + "\0" + "hello from weft");
        Reply read = request(flow, XS_READ, key + "\0");
        Reply listed = request(flow, XS_DIRECTORY, parent + "\0");
        Reply removed = request(flow, XS_RM, key + "\0");

        assertEquals(new Reply(XS_WRITE, "OK"), written.withoutNul());
        assertEquals(new Reply(XS_READ, "hello from weft"), read);
        assertEquals(XS_DIRECTORY, listed.type());
        assertTrue(Arrays.asList(listed.payload().split("\0")).contains(name), "directory lists " + name + ": " + listed);
        assertEquals(new Reply(XS_RM, "OK"), removed.withoutNul());
    }

    /** One reply: its type and its payload as text. */
    private record Reply(int type, String payload) {
        Reply withoutNul() {
            return new Reply(type, payload.replace("\0", ""));
        }
    }

    /** Sends one request with a fresh request id and reads its reply (checked to carry that id). */
    private Reply request(Flow flow, int type, String payload) {
        int id = nextRequest++;
        byte[] body = payload.getBytes(StandardCharsets.UTF_8);
        ByteBuffer message = ByteBuffer.allocate(16 + body.length).order(ByteOrder.nativeOrder());
        message.putInt(type).putInt(id).putInt(0).putInt(body.length).put(body);
        run(flow.write(MemorySegment.ofArray(message.array())));
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        while (received.size() < 16 || received.size() < 16 + header(received.toByteArray()).getInt(12)) {
            Flow.Read read = run(flow.read());
            if (!(read instanceof Flow.Data data)) {
                throw new AssertionError("end of stream inside a reply; had " + received.size() + " bytes");
            }
            received.writeBytes(data.bytes().toArray(ValueLayout.JAVA_BYTE));
        }
        byte[] bytes = received.toByteArray();
        ByteBuffer header = header(bytes);
        assertEquals(id, header.getInt(4), "the reply answers this request");
        assertEquals(16 + header.getInt(12), bytes.length, "one request, one reply, nothing more");
        return new Reply(header.getInt(0), new String(bytes, 16, header.getInt(12), StandardCharsets.UTF_8));
    }

    private static ByteBuffer header(byte[] bytes) {
        return ByteBuffer.wrap(bytes, 0, 16).order(ByteOrder.nativeOrder());
    }

    private <T> T run(Promise<T> promise) {
        return loop.run(loop.withTimeout(PATIENCE, promise));
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

}
