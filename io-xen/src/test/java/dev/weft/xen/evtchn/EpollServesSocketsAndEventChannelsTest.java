package dev.weft.xen.evtchn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.loop.Loop;
import dev.weft.loop.device.Flow;
import dev.weft.promise.Pair;
import dev.weft.promise.Promise;
import dev.weft.unix.epoll.EpollEngine;
import dev.weft.unix.net.SocketFlow;
import dev.weft.unix.net.Sockets;
import dev.weft.unix.net.TcpListener;
import dev.weft.xen.sim.Fds;
import dev.weft.xen.sim.SimDomain;
import dev.weft.xen.sim.SimHypervisor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * One loop on io-unix's epoll engine serves a TCP echo and event channels at once: the device's fd
 * is one more source beside the sockets. The event-channel peer is another domain whose loop runs
 * on a {@link XenEngine} on its own thread, so both ways of serving event channels meet here.
 */
class EpollServesSocketsAndEventChannelsTest {
    private static final int ROUNDS = 200;
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Test
    void echoesOverTcpAndPingsOverAnEventChannelInOneLoop() {
        long fdsBefore = Fds.open();
        SimHypervisor xen = new SimHypervisor();
        SimDomain front = xen.createDomain();
        EventChannelDevice device = front.openEventChannels();
        EpollEngine engine = new EpollEngine();
        Loop loop = Loop.builder().name("sockets-and-channels").engine(engine).build();
        try (DomainLoop back = new DomainLoop(xen.createDomain(), EngineKind.XEN, "back")) {
            Sockets sockets = Sockets.on(loop, engine);
            EventChannels channels = EventChannels.on(loop, device);
            int port = channels.bindUnbound(back.domain.domainId());
            int backPort = back.call(() -> back.channels.bindInterdomain(front.domainId(), port));
            back.call(() -> pong(back.channels, backPort, 0));
            TcpListener listener = sockets.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            listener.accept().onSuccess(EpollServesSocketsAndEventChannelsTest::echo);

            Promise<Integer> echoed = sockets.connect(listener.localAddress(), PATIENCE)
                    .flatMap(client -> echoRounds(client, 0));
            Promise<Integer> pinged = pingRounds(channels, port, 0, 0);
            Pair<Integer, Integer> done = loop.run(loop.withTimeout(PATIENCE, Promise.both(echoed, pinged)));

            assertEquals(ROUNDS, done.first());
            assertEquals(ROUNDS, done.second());
            listener.close();
            channels.close();
        } finally {
            loop.close();
            device.close();
        }
        assertEquals(fdsBefore, Fds.open());
    }

    private static Promise<Void> echo(Flow flow) {
        return flow.read().flatMap(read -> switch (read) {
            case Flow.Data(var bytes) -> flow.write(bytes).flatMap(v -> echo(flow));
            case Flow.EndOfStream end -> flow.close();
        });
    }

    /** Writes "ping N", reads it back, {@link #ROUNDS} times; then closes. */
    private static Promise<Integer> echoRounds(SocketFlow client, int done) {
        if (done == ROUNDS) {
            return client.close().map(v -> done);
        }
        String message = "ping " + done;
        return client.write(MemorySegment.ofArray(message.getBytes(StandardCharsets.UTF_8)))
                .flatMap(v -> readText(client, message.length(), ""))
                .flatMap(text -> {
                    assertEquals(message, text);
                    return echoRounds(client, done + 1);
                });
    }

    private static Promise<String> readText(SocketFlow flow, int length, String sofar) {
        if (sofar.length() >= length) {
            return Promise.of(sofar);
        }
        return flow.read().flatMap(read -> switch (read) {
            case Flow.Data(var bytes) -> readText(flow, length,
                    sofar + new String(bytes.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
            case Flow.EndOfStream end -> Promise.of(sofar);
        });
    }

    /** Notifies, waits for the answer, {@link #ROUNDS} times. */
    private static Promise<Integer> pingRounds(EventChannels channels, int port, long seen, int done) {
        if (done == ROUNDS) {
            return Promise.of(done);
        }
        channels.notify(port);
        return channels.after(port, seen).flatMap(now -> pingRounds(channels, port, now, done + 1));
    }

    /** The peer: answers every event with one. */
    private static Promise<Void> pong(EventChannels channels, int port, long seen) {
        return channels.after(port, seen).flatMap(now -> {
            channels.notify(port);
            return pong(channels, port, now);
        });
    }
}
