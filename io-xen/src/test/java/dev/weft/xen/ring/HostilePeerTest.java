package dev.weft.xen.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A peer that writes random indices, ids and entry bytes into the shared page between our
 * operations, 100,000 rounds per end, on a loop. Every failure must be a {@link RingBroken} (or
 * a rejected promise carrying one), nothing may be thrown out of our calls, and the loop must still
 * run work afterwards. A broken ring is replaced by a fresh one and the rounds go on. The peer is
 * deterministic (seeded) so a failure replays; it is sometimes well-behaved, so both the happy
 * path and the checks are exercised.
 */
class HostilePeerTest {
    private static final int ROUNDS = 100_000;
    private static final int INDICES = 16;

    private static final class Tally {
        int rounds;
        int rings = 1;
        int fulfilled;
        int typedFailures;
        final List<Throwable> untyped = new ArrayList<>();

        void observe(Promise<Long> promise) {
            promise.onAny(value -> fulfilled++, failure -> {
                if (failure instanceof RingBroken) {
                    typedFailures++;
                } else {
                    untyped.add(failure);
                }
            });
        }
    }

    /** Random header words and entry bytes; sometimes a plausible index near ours, sometimes not. */
    private static void scribble(SplittableRandom random, MemorySegment page, int near) {
        int writes = random.nextInt(4);
        for (int i = 0; i < writes; i++) {
            if (random.nextBoolean()) {
                int value = random.nextInt(4) == 0 ? random.nextInt() : near + random.nextInt(-3, 40);
                page.set(ValueLayout.JAVA_INT, 4L * random.nextInt(INDICES / 4), value);
            } else {
                long offset = SharedRing.HEADER_BYTES + 8L * random.nextInt((4096 - SharedRing.HEADER_BYTES) / 8);
                long value = random.nextInt(3) == 0 ? random.nextLong() : random.nextInt(-1, 200);
                page.set(ValueLayout.JAVA_LONG, offset, value);
            }
        }
    }

    @Test
    void aHostileBackNeverMakesTheClientThrowAnythingUntyped() {
        SplittableRandom random = new SplittableRandom(0x5EED_0001L);
        Tally tally = new Tally();
        try (Arena arena = Arena.ofConfined(); Loop loop = Loop.create()) {
            MemorySegment page = arena.allocate(4096, 4096);
            loop.run(Promise.apply(() -> {
                RingClient<Long, Long> client = freshClient(page, random.nextInt());
                for (tally.rounds = 0; tally.rounds < ROUNDS; tally.rounds++) {
                    if (client.failure().isPresent()) {
                        client = freshClient(page, random.nextInt());
                        tally.rings++;
                    }
                    scribble(random, page, page.get(ValueLayout.JAVA_INT, SharedRing.REQ_PROD));
                    if (random.nextInt(3) == 0) {
                        client.poll();
                    } else {
                        tally.observe(client.request((long) random.nextInt(1000)));
                    }
                }
                return Promise.unit();
            }));
            assertEquals("alive", loop.run(loop.sleep(java.time.Duration.ofMillis(1)).map(v -> "alive")));
        }
        assertEquals(List.of(), tally.untyped);
        assertEquals(ROUNDS, tally.rounds);
        assertTrue(tally.rings > 100, "the peer broke many rings: " + tally.rings);
        assertTrue(tally.fulfilled > 100, "and answered some requests well: " + tally.fulfilled);
    }

    @Test
    void aHostileFrontNeverMakesTheServerThrow() {
        SplittableRandom random = new SplittableRandom(0x5EED_0002L);
        int[] handled = new int[1];
        int rings = 1;
        try (Arena arena = Arena.ofConfined(); Loop loop = Loop.create()) {
            MemorySegment page = arena.allocate(4096, 4096);
            int broken = loop.run(Promise.apply(() -> {
                int breaks = 0;
                RingServer<Long, Long> server = freshServer(page, random.nextInt(), handled);
                for (int round = 0; round < ROUNDS; round++) {
                    if (server.failure().isPresent()) {
                        breaks++;
                        server = freshServer(page, random.nextInt(), handled);
                    }
                    scribble(random, page, page.get(ValueLayout.JAVA_INT, SharedRing.RSP_PROD));
                    server.poll();
                }
                return Promise.of(breaks);
            }));
            rings += broken;
            assertEquals("alive", loop.run(Promise.of("alive")));
        }
        assertTrue(rings > 100, "the peer broke many rings: " + rings);
        assertTrue(handled[0] > 100, "and sent some good requests: " + handled[0]);
    }

    @Test
    void aHostilePeerNeverMakesABytePipeThrowAnythingUntyped() {
        SplittableRandom random = new SplittableRandom(0x5EED_0003L);
        int breaks = 0;
        long moved = 0;
        byte[] buffer = new byte[3000];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment page = arena.allocate(4096, 4096);
            BytePipe pipe = XenstoreRingPage.of(page).client();
            int indices = XenstoreRingPage.REQ_CONS;
            for (int round = 0; round < ROUNDS; round++) {
                if (pipe.failure().isPresent()) {
                    breaks++;
                    page.fill((byte) 0);
                    boolean xenstore = random.nextBoolean();
                    pipe = xenstore ? XenstoreRingPage.of(page).client() : ConsoleRingPage.of(page).frontend();
                    indices = xenstore ? XenstoreRingPage.REQ_CONS : ConsoleRingPage.IN_CONS;
                }
                int index = indices + 4 * random.nextInt(4);
                int near = page.get(ValueLayout.JAVA_INT, index);
                page.set(ValueLayout.JAVA_INT, index, random.nextInt(4) == 0 ? random.nextInt() : near + random.nextInt(-8, 600));
                int length = random.nextInt(buffer.length);
                try {
                    int count = random.nextBoolean() ? pipe.read(buffer, 0, length) : pipe.write(buffer, 0, length);
                    assertTrue(count >= 0 && count <= length, "count " + count + " of " + length);
                    moved += count;
                } catch (RingBroken expected) {
                    // typed: the next round replaces the pipe
                }
            }
        }
        assertTrue(breaks > 100, "the peer broke many pipes: " + breaks);
        assertTrue(moved > 0, "and some bytes moved: " + moved);
    }

    private static RingClient<Long, Long> freshClient(MemorySegment page, int start) {
        page.fill((byte) 0);
        return new RingClient<>(SharedRing.over(page, 16).initialise(start).front(start), LongCodec.INSTANCE, () -> { });
    }

    private static RingServer<Long, Long> freshServer(MemorySegment page, int start, int[] handled) {
        page.fill((byte) 0);
        return new RingServer<>(SharedRing.over(page, 16).initialise(start).back(start), LongCodec.INSTANCE,
                request -> {
                    handled[0]++;
                    return Promise.of(request + 1);
                }, (request, failure) -> 0L, () -> { });
    }
}
