package dev.weft.xen.sim;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The memory one model domain shares pages from: blocks of consecutive, page-aligned pages, kept
 * for reuse once their grants have ended instead of being freed.
 *
 * <p><b>Threading: thread-safe</b> (every method synchronizes on the pool); a domain's allocators
 * may run on several loops.
 *
 * <p>Why a pool: a block used to live in an {@link Arena#ofShared() shared arena} of its own, and
 * closing a shared arena stops every thread of the JVM for a handshake (tens of microseconds),
 * which dominated every driver that shares pages per request. Blocks now come from one automatic
 * arena (freed by the garbage collector once the domain and every block are unreachable) and go
 * back to the pool zeroed, so a page reaches its next grantee as zeroed as a fresh one (XSA-403's
 * lesson). The lifetimes that make use-after-end and use-after-unmap fail are views with cheap
 * confined arenas of their own ({@link SimSharedPages}, {@link SimGrantMapper}); a block returns
 * to the pool only after its grants have ended, that is, once no mapping holds it.
 */
final class PagePool {
    /** Blocks ever kept per size, at most; beyond that an ended block is left to the collector. */
    private static final int KEEP_PER_SIZE = 256;

    private final Arena memory = Arena.ofAuto();
    private final Map<Integer, ArrayDeque<MemorySegment>> free = new HashMap<>();

    /** A zeroed block of {@code pages} consecutive pages, page-aligned. */
    synchronized MemorySegment take(int pages) {
        ArrayDeque<MemorySegment> blocks = free.get(pages);
        MemorySegment block = blocks == null ? null : blocks.poll();
        // Arena memory is zeroed; reused blocks were zeroed when they came back.
        return block != null ? block : memory.allocate((long) pages * SimHypervisor.PAGE_SIZE, SimHypervisor.PAGE_SIZE);
    }

    /** Takes back a block no grant and no mapping refers to any more; it is zeroed here. */
    synchronized void give(MemorySegment block) {
        block.fill((byte) 0);
        ArrayDeque<MemorySegment> blocks = free.computeIfAbsent((int) (block.byteSize() / SimHypervisor.PAGE_SIZE),
                size -> new ArrayDeque<>());
        if (blocks.size() < KEEP_PER_SIZE) {
            blocks.push(block);
        }
    }
}
