package dev.weft.xen.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.unix.EngineKind;
import dev.weft.unix.Engines;
import dev.weft.unix.net.Sockets;
import dev.weft.xen.evtchn.EventChannels;
import dev.weft.xen.store.Watch;
import dev.weft.xen.store.WatchEvent;
import dev.weft.xen.store.XenStore;
import dev.weft.xen.store.XenStoreException;
import dev.weft.xen.store.XsError;
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
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Xenstore over its two Linux transports, each a Flow on an epoll loop: xenstored's Unix socket
 * and /dev/xen/xenbus. The first tests write messages out by hand from xs_wire.h (a 16-byte
 * header of type, request id, transaction id and length, then the payload), so they test the
 * transports alone; the others run the {@link XenStore} client over them against the real
 * xenstored, and one loop serves xenbus and an event channel together. Needs dom0 with xenstored running: tagged real-xen, run by {@code ./weft test --xen}.
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

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"socket", "xenbus"})
    void theClientWritesReadsListsAndRemoves(String transport) {
        XenStore client = XenStore.over(open(transport), loop);
        String key = "/weft-test/client-" + transport;

        run(client.write(key, "value over " + transport));
        String read = run(client.read(key));
        List<String> listed = run(client.directory("/weft-test"));
        run(client.rm(key));
        XenStoreException gone = assertThrows(XenStoreException.class, () -> run(client.read(key)));
        run(client.close());

        assertEquals("value over " + transport, read);
        assertTrue(listed.contains("client-" + transport), "directory lists the key: " + listed);
        assertEquals(XsError.ENOENT, gone.error());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"socket", "xenbus"})
    void aWatchFiresOnRegistrationAndAgainOnAWrite(String transport) {
        XenStore client = XenStore.over(open(transport), loop);
        String key = "/weft-test/watched-" + transport;
        run(client.write(key, "before"));

        Watch watch = run(client.watch(key));
        WatchEvent first = run(watch.events().next());
        run(client.write(key, "after"));
        WatchEvent second = run(watch.events().next());
        run(watch.unwatch());
        run(client.rm(key));
        run(client.close());

        assertEquals(key, first.path(), "xenstored fires a watch once when it is registered");
        assertEquals(key, second.path());
    }

    @Test
    void aTransactionOverTheSocketCommitsBothWritesTogether() {
        XenStore client = XenStore.over(open("socket"), loop);

        run(client.transaction(tx -> tx.write("/weft-test/tx/a", "1").flatMap(ignored -> tx.write("/weft-test/tx/b", "2"))));
        String a = run(client.read("/weft-test/tx/a"));
        String b = run(client.read("/weft-test/tx/b"));
        run(client.rm("/weft-test/tx"));
        run(client.close());

        assertEquals("1", a);
        assertEquals("2", b);
    }

    @Test
    void oneEpollLoopServesXenbusAndAnEventChannelAtOnce() {
        LinuxXenPlatform platform = LinuxXenPlatform.open();
        try (LinuxEventChannels device = platform.openEventChannels()) {
            EventChannels channels = EventChannels.on(loop, device);
            XenStore client = XenStore.over(XenStoreFlows.openXenbus(sockets), loop);
            int unbound = channels.bindUnbound(platform.domainId());
            int interdomain = channels.bindInterdomain(platform.domainId(), unbound);

            Promise<Long> event = channels.after(unbound, EventChannels.PROGRAM_START);
            Promise<Void> written = client.write("/weft-test/both", "x");
            channels.notify(interdomain);
            long counter = run(event);
            run(written);
            String read = run(client.read("/weft-test/both"));
            run(client.rm("/weft-test/both"));
            run(client.close());
            channels.close();

            assertTrue(counter >= 1, "the event channel fired on the loop");
            assertEquals("x", read);
        }
    }

    private Flow open(String transport) {
        return transport.equals("socket") ? run(XenStoreFlows.connectSocket(sockets, PATIENCE)) : XenStoreFlows.openXenbus(sockets);
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
