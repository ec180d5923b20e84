package dev.weft.xen.linux;

import static dev.weft.xen.linux.DeviceAbi.UNMAP_NOTIFY_CLEAR_BYTE;
import static dev.weft.xen.linux.DeviceAbi.UNMAP_NOTIFY_SEND_EVENT;

import dev.weft.unix.libc.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Pages of a gntalloc or gntdev device mapped into this process at the device offset {@code
 * index}: the memory as a segment in a shared arena (usable from any thread), unmapped by {@link
 * #release()}, after which the segment refuses access instead of touching unmapped memory.
 * Release and notification requests are loop thread only.
 */
final class Mapping {

    final DeviceFile device;
    final long index;
    final int pages;
    final MemorySegment memory;
    private final Arena arena = Arena.ofShared();
    private boolean released;

    Mapping(DeviceFile device, long index, int pages, long address, boolean writable) {
        this.device = device;
        this.index = index;
        this.pages = pages;
        long bytes = (long) pages * DeviceAbi.PAGE_BYTES;
        MemorySegment mapped = Libc.mapped(address, bytes, arena, () -> Libc.munmap(address, bytes));
        this.memory = writable ? mapped : mapped.asReadOnly();
    }

    /**
     * SET_UNMAP_NOTIFY: when the kernel lets the pages go, zero byte {@code clearByte} if it is
     * not negative, and notify {@code port} if it is not negative (both negative: no notification).
     *
     * @throws IllegalArgumentException if {@code clearByte} is past the pages, or the pages are
     *     read-only (the kernel cannot clear a byte of a read-only mapping)
     * @throws IllegalStateException once released or once the device is closed
     */
    void setUnmapNotify(String request, long number, int clearByte, int port) {
        if (clearByte >= memory.byteSize()) {
            throw new IllegalArgumentException("byte " + clearByte + " is past the " + memory.byteSize() + " mapped bytes");
        }
        if (clearByte >= 0 && memory.isReadOnly()) {
            throw new IllegalArgumentException("a read-only mapping cannot have byte " + clearByte + " cleared");
        }
        if (released || device.isClosed()) {
            throw new IllegalStateException("the pages were let go or " + device.path
                    + " was closed: nothing to attach a notification to");
        }
        int action = (port >= 0 ? UNMAP_NOTIFY_SEND_EVENT : 0) | (clearByte >= 0 ? UNMAP_NOTIFY_CLEAR_BYTE : 0);
        device.setUnmapNotify(request, number, index + Math.max(clearByte, 0), action, Math.max(port, 0));
    }

    /**
     * Unmaps the pages (once); returns whether this call did it and the device is still open,
     * so the caller's release ioctl must follow.
     */
    boolean release() {
        if (released) {
            return false;
        }
        released = true;
        arena.close();
        return !device.isClosed();
    }

    boolean isReleased() {
        return released;
    }
}
