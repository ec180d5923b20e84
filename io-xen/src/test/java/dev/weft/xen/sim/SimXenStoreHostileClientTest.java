package dev.weft.xen.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Loop;
import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.xen.store.Message;
import dev.weft.xen.store.MessageReader;
import dev.weft.xen.store.XenStore;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The model daemon facing a client that sends garbage: it answers or hangs up, and others go on. */
class SimXenStoreHostileClientTest {
    private static final long SEED = Long.getLong("weft.test.seed", 42L);
    private final Loop loop = Loop.create();
    private final SimXenStore daemon = new SimXenStore();
    private final XenStore dom0 = XenStore.over(daemon.connect(loop, loop, 0), loop);

    @AfterEach
    void close() {
        loop.run(dom0.close());
        for (int i = 0; i < 3; i++) {
            loop.run(Promise.pause());
        }
        loop.close();
    }

    /** Sends {@code request} on a raw connection and returns every reply message. */
    private List<Message> exchange(int domid, byte[] request) {
        Flow raw = daemon.connect(loop, loop, domid);
        raw.write(MemorySegment.ofArray(request));
        raw.shutdown(Flow.Direction.WRITE);
        List<Message> replies = new ArrayList<>();
        MessageReader reader = new MessageReader();
        for (;;) {
            Flow.Read read = loop.run(raw.read());
            if (!(read instanceof Flow.Data(var bytes))) {
                break;
            }
            reader.feed(bytes, replies::add);
        }
        loop.run(raw.close());
        return replies;
    }

    @Test
    void everyWellFramedRequestGetsExactlyOneReplyWithItsIdWhateverItHolds() {
        SplittableRandom random = new SplittableRandom(SEED);
        for (int round = 0; round < 10_000; round++) {
            byte[] payload = new byte[random.nextInt(64)];
            for (int i = 0; i < payload.length; i++) {
                payload[i] = (byte) "/ab0\0TFrwbn@-"
                        .charAt(random.nextInt(13));
            }
            int type = random.nextInt(8) == 0 ? random.nextInt() : random.nextInt(24);
            int id = random.nextInt();
            Message request = new Message(type, id, random.nextInt(4) == 0 ? random.nextInt(3) : 0, payload);
            List<Message> replies = exchange(random.nextInt(3), request.toBytes());
            long answers = replies.stream().filter(m -> m.requestId() == id && m.type() != 15).count();
            assertEquals(1, answers, "round " + round + " (seed " + SEED + "): " + request + " got " + replies);
        }
        assertEquals("still serving", loop.run(dom0.write("/ok", "still serving").flatMap(v -> dom0.read("/ok"))));
    }

    @Test
    void aClientBreakingFramingIsDisconnectedAndTheOthersGoOn() {
        byte[] header = {2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f};
        assertTrue(exchange(1, header).isEmpty());
        assertEquals("fine", loop.run(dom0.write("/x", "fine").flatMap(v -> dom0.read("/x"))));
    }

    @Test
    void everyConnectionIsDroppedOnceItsClientLeaves() {
        exchange(1, new byte[0]);
        exchange(2, new byte[] {1, 2, 3});
        loop.run(Promise.pause());
        assertEquals(1, daemon.connections());
    }
}
