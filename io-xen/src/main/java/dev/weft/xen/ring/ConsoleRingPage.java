package dev.weft.xen.ring;

import java.lang.foreign.MemorySegment;

/**
 * The PV console ring page, Xen's {@code struct xencons_interface} (io/console.h): {@code in[1024]}
 * (keyboard: backend to guest), {@code out[2048]} (screen: guest to backend), then the u32 indices
 * {@code in_cons, in_prod, out_cons, out_prod} at 3072..3087.
 *
 * <p><b>Threading: LOOP THREAD ONLY.</b> {@link #frontend()} and {@link #backend()} each attach one
 * end; the two ends run on different threads (or domains). The page starts zeroed.
 */
public final class ConsoleRingPage {
    /** Offset of {@code in[]}. */
    public static final int IN = 0;
    /** Size of {@code in[]}. */
    public static final int IN_SIZE = 1024;
    /** Offset of {@code out[]}. */
    public static final int OUT = 1024;
    /** Size of {@code out[]}. */
    public static final int OUT_SIZE = 2048;
    /** Offset of {@code in_cons} (written by the guest). */
    public static final int IN_CONS = 3072;
    /** Offset of {@code in_prod} (written by the backend). */
    public static final int IN_PROD = 3076;
    /** Offset of {@code out_cons} (written by the backend). */
    public static final int OUT_CONS = 3080;
    /** Offset of {@code out_prod} (written by the guest). */
    public static final int OUT_PROD = 3084;
    /** Size of the structure. */
    public static final int BYTES = 3088;

    private final MemorySegment page;

    private ConsoleRingPage(MemorySegment page) {
        SharedWords.requireLayout(page, BYTES, "console ring page");
        this.page = page;
    }

    /** The page laid over {@code page}, at least {@link #BYTES} long and 4-byte aligned. */
    public static ConsoleRingPage of(MemorySegment page) {
        return new ConsoleRingPage(page);
    }

    /** The guest's end: writes {@code out}, reads {@code in}. */
    public BytePipe frontend() {
        return new BytePipe(in(), out());
    }

    /** The backend's end (xenconsoled): reads {@code out}, writes {@code in}. */
    public BytePipe backend() {
        return new BytePipe(out(), in());
    }

    private ByteRing in() {
        return new ByteRing(page, IN, IN_SIZE, IN_CONS, IN_PROD, "console in ring");
    }

    private ByteRing out() {
        return new ByteRing(page, OUT, OUT_SIZE, OUT_CONS, OUT_PROD, "console out ring");
    }
}
