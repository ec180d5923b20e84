package dev.weft.xen.sim;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * What to do when one side of a grant lets go (gntalloc's and gntdev's SET_UNMAP_NOTIFY): zero a
 * byte of the first page, and notify an event-channel port. Confined to the owner's loop thread.
 */
final class UnmapNotify {
    private int clearByte = -1;
    private int port = -1;

    /** Records the request; {@code clearByte} negative means no byte, {@code port} negative no port. */
    void set(int clearByte, int port, MemorySegment memory) {
        if (clearByte >= SimHypervisor.PAGE_SIZE) {
            throw new IllegalArgumentException("setUnmapNotify: byte " + clearByte + " is not in the first page");
        }
        if (clearByte >= 0 && memory.isReadOnly()) {
            throw new IllegalArgumentException("setUnmapNotify: a read-only mapping cannot clear a byte");
        }
        this.clearByte = clearByte;
        this.port = port;
    }

    /** Zeroes the byte, if one was asked for. */
    void clearByte(MemorySegment memory) {
        if (clearByte >= 0) {
            memory.set(ValueLayout.JAVA_BYTE, clearByte, (byte) 0);
        }
    }

    /** Notifies the port on {@code domain}'s behalf, if one was asked for. */
    void notifyPort(SimDomain domain) {
        if (port >= 0) {
            domain.kernelNotify(port);
        }
    }
}
