package dev.weft.xen.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Loop;
import dev.weft.promise.LoopHooks;
import dev.weft.promise.Promise;
import dev.weft.xen.sim.SimXenStore;
import java.io.EOFException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A daemon that sends garbage: random headers (types, req_ids, tx_ids, lengths up to 2^32-1),
 * random and near-valid payloads, for 100,000 rounds. Every request must end fulfilled or with
 * a typed failure, no callback may throw into the loop, no round may allocate anything near a
 * claimed length, and the loop must still serve a real daemon afterwards.
 */
class HostileDaemonTest {
    private static final int ROUNDS = 100_000;
    private static final long SEED = Long.getLong("weft.test.seed", 0x5eed_0f_c0ffeeL);
    /** No round may allocate this much: a claimed length of 1 MiB or more would show. */
    private static final long ROUND_ALLOCATION_LIMIT = 1 << 20;
    private static final int WARM_UP_ROUNDS = 1_000;

    private final Loop loop = Loop.create();
    private final List<Throwable> asyncFailures = new ArrayList<>();
    private final SplittableRandom random = new SplittableRandom(SEED);
    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @BeforeEach
    void catchAsyncFailures() {
        LoopHooks.setAsyncExceptionHook(asyncFailures::add);
    }

    @AfterEach
    void restore() {
        // Let the ends' last deliveries to each other run before the loop goes.
        for (int i = 0; i < 3; i++) {
            loop.run(Promise.pause());
        }
        LoopHooks.setAsyncExceptionHook(null);
        loop.close();
    }

    @Test
    void garbageFromTheDaemonOnlyEverFailsRequestsWithTypedErrors() {
        long worstAllocation = 0;
        int worstRound = -1;
        int[] outcomes = new int[4];
        for (int round = 0; round < ROUNDS; round++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            outcomes[playRound(round)]++;
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            // The first rounds load classes and spin lambdas, which allocates whatever it takes.
            if (round >= WARM_UP_ROUNDS && allocated > worstAllocation) {
                worstAllocation = allocated;
                worstRound = round;
            }
        }
        assertEquals(List.of(), asyncFailures, "callbacks threw into the loop");
        assertTrue(worstAllocation < ROUND_ALLOCATION_LIMIT, "round " + worstRound + " allocated " + worstAllocation
                + " bytes");
        assertTrue(outcomes[1] > ROUNDS / 10, "too few protocol violations seen: the generator is too tame");
        assertEquals("alive", loopStillServesARealDaemon());
    }

    /** One round; returns 0 fulfilled, 1 protocol violation, 2 errno reply, 3 end of stream. */
    private int playRound(int round) {
        FakeDaemon daemon = new FakeDaemon(loop);
        Promise<?> request = anyRequest(daemon.client);
        Message sent = loop.run(daemon.nextRequest());
        daemon.send(hostileBytes(sent));
        daemon.hangUp();
        Throwable failure = loop.run(request.map(v -> (Throwable) null).recover(Promise::of));
        loop.run(daemon.client.close());
        if (failure == null) {
            return 0;
        }
        if (failure instanceof XenStoreProtocolException) {
            return 1;
        }
        if (failure instanceof XenStoreException) {
            return 2;
        }
        if (failure instanceof EOFException) {
            return 3;
        }
        throw new AssertionError("round " + round + " (seed " + SEED + "): untyped failure " + failure, failure);
    }

    private Promise<?> anyRequest(XenStore client) {
        return switch (random.nextInt(9)) {
            case 0 -> client.read("/a");
            case 1 -> client.write("/a", "v");
            case 2 -> client.getPerms("/a");
            case 3 -> client.directory("/a");
            case 4 -> client.directoryPart("/a", 0);
            case 5 -> client.isDomainIntroduced(1);
            case 6 -> client.getDomainPath(1);
            case 7 -> client.transaction(tx -> tx.read("/a"));
            default -> client.watch("/a", "t").flatMap(watch -> watch.events().get())
                    .flatMap(event -> event.isPresent() || client.failure() == null
                            ? Promise.of(event) : Promise.rejected(client.failure()));
        };
    }

    private byte[] hostileBytes(Message request) {
        return switch (random.nextInt(4)) {
            case 0 -> randomBytes(random.nextInt(64));
            case 1 -> randomHeader(request);
            default -> plausibleReply(request);
        };
    }

    private byte[] randomHeader(Message request) {
        int type = switch (random.nextInt(4)) {
            case 0 -> request.type();
            case 1 -> MessageType.ERROR.number();
            case 2 -> MessageType.WATCH_EVENT.number();
            default -> random.nextInt();
        };
        int id = random.nextBoolean() ? request.requestId() : random.nextInt();
        int length = switch (random.nextInt(4)) {
            case 0 -> random.nextInt(64);
            case 1 -> Message.PAYLOAD_MAX + random.nextInt(1, 64);
            case 2 -> Message.PAYLOAD_MAX;
            default -> random.nextInt();
        };
        byte[] header = new Message(type, id, random.nextInt(), new byte[0]).toBytes();
        header[12] = (byte) length;
        header[13] = (byte) (length >>> 8);
        header[14] = (byte) (length >>> 16);
        header[15] = (byte) (length >>> 24);
        byte[] payload = randomBytes(random.nextInt(128));
        byte[] bytes = new byte[header.length + payload.length];
        System.arraycopy(header, 0, bytes, 0, header.length);
        System.arraycopy(payload, 0, bytes, header.length, payload.length);
        return bytes;
    }

    private byte[] plausibleReply(Message request) {
        String[] shapes = {"OK\0", "KO\0", "T\0", "F\0", "X\0", "12\0", "0\0", "012\0", "4294967296\0", "r5\0b7\0",
            "q5\0", "r\0", "ENOENT\0", "EAGAIN\0", "EWHAT\0", "/a\0t\0", "/a\0", "1\0a\0\0", "1\0\0\0", "x\0a\0",
            "", "\0", "OK"};
        byte[] payload = shapes[random.nextInt(shapes.length)].getBytes();
        if (random.nextInt(4) == 0 && payload.length > 0) {
            payload[random.nextInt(payload.length)] = (byte) random.nextInt(256);
        }
        int type = switch (random.nextInt(3)) {
            case 0 -> MessageType.ERROR.number();
            case 1 -> MessageType.WATCH_EVENT.number();
            default -> request.type();
        };
        int id = random.nextInt(8) == 0 ? request.requestId() + 1 : request.requestId();
        return new Message(type, type == MessageType.WATCH_EVENT.number() ? 0 : id, request.transactionId(), payload)
                .toBytes();
    }

    private byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }

    private String loopStillServesARealDaemon() {
        SimXenStore store = new SimXenStore();
        XenStore client = XenStore.over(store.connect(loop, loop, 0), loop);
        loop.run(client.write("/after", "alive"));
        String value = loop.run(client.read("/after"));
        loop.run(client.close());
        return value;
    }
}
