package dev.weft.bench.xen;

import dev.weft.bench.load.LatencyHistogram;
import dev.weft.loop.device.Block;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Keeps {@code depth} random one-block reads (or writes) in flight on a {@link Block} until a
 * deadline, then lets the last ones land, timing each from issue to completion. Each slot of the
 * queue owns one block-sized buffer. A write writes the block's own stamp ({@link DiskImage#stamp})
 * so the image stays valid; a read checks the stamp and counts a mismatch if it is wrong.
 *
 * <p>The device's loop thread only; the buffers are in a shared arena the caller owns, since the
 * direct path's pool threads fill them.
 */
final class RandomIo {
    /** What one run did. */
    record Result(long operations, long nanos, long mismatches, LatencyHistogram latency) {
        double perSecond() {
            return operations * 1e9 / nanos;
        }
    }

    private final Block block;
    private final boolean write;
    private final long blocks;
    private final long deadline;
    private final SplittableRandom random;
    private final long start = System.nanoTime();
    private final LatencyHistogram latency = new LatencyHistogram();
    private final Resolver<Result> done = Promise.pending();
    private long completed;
    private long mismatches;
    private int inFlight;

    private RandomIo(Block block, boolean write, long blocks, long nanos, long seed) {
        this.block = block;
        this.write = write;
        this.blocks = blocks;
        this.deadline = start + nanos;
        this.random = new SplittableRandom(seed);
    }

    /**
     * Starts a run of {@code nanos} with {@code depth} operations in flight over the first {@code
     * blocks} blocks of {@code block}, with buffers from {@code arena}; the promise of its result.
     * Rejected with the first operation's failure.
     */
    static Promise<Result> run(Block block, boolean write, int depth, long blocks, long nanos, Arena arena,
                               long seed) {
        RandomIo load = new RandomIo(block, write, blocks, nanos, seed);
        for (int slot = 0; slot < depth; slot++) {
            load.issue(arena.allocate(DiskImage.BLOCK, DiskImage.BLOCK));
        }
        return load.done.promise();
    }

    private void issue(MemorySegment buffer) {
        long number = random.nextLong(blocks);
        long sector = number * DiskImage.SECTORS_PER_BLOCK;
        long issued = System.nanoTime();
        inFlight++;
        Promise<Void> operation;
        if (write) {
            DiskImage.stamp(buffer, number);
            operation = block.write(sector, List.of(buffer));
        } else {
            buffer.fill((byte) 0);
            operation = block.read(sector, List.of(buffer));
        }
        operation.onAny(ignored -> {
            long now = System.nanoTime();
            latency.record(now - issued);
            inFlight--;
            completed++;
            if (!write && !DiskImage.stamped(buffer, number)) {
                mismatches++;
            }
            if (now < deadline) {
                issue(buffer);
            } else if (inFlight == 0) {
                done.resolve(new Result(completed, now - start, mismatches, latency));
            }
        }, failure -> {
            inFlight--;
            if (done.promise().isPending()) {
                done.reject(failure);
            }
        });
    }
}
