package dev.weft.xen.console;

import dev.weft.loop.device.Console;
import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.xen.evtchn.EventChannels;
import dev.weft.xen.ring.BytePipe;
import dev.weft.xen.ring.ConsoleRingPage;
import dev.weft.xen.ring.PipeFlow;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The PV console's frontend: the guest's end of the console ring page ({@code struct
 * xencons_interface}, laid out by {@link ConsoleRingPage}), as a {@link Console}. Writes go to
 * {@code out} (the screen), reads come from {@code in} (the keyboard). A write waits for ring space
 * as often as it needs to and is fulfilled once all its bytes are in the ring: under load the
 * console slows the writer down instead of dropping or tearing output.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b>, the loop of the {@link EventChannels} given. The backend
 * (xenconsoled, or {@link #backend} on the model) runs in another domain or thread.
 *
 * <p>The console protocol has no notification requests: each end notifies the event channel
 * after every batch of bytes it moves, and the backend may notify at any time; events are only
 * reasons to look at the indices again. Indices are read once per look and checked: a backend that
 * claims more bytes in flight than a ring holds breaks the console ({@link
 * dev.weft.xen.ring.RingBroken}), for good. A console never sees end-of-stream from the backend;
 * reads wait until input comes.
 */
public final class XenConsole implements Console {
    private final PipeFlow flow;

    private XenConsole(PipeFlow flow) {
        this.flow = flow;
    }

    /**
     * The guest's console over {@code page} (the console page: start_info's for the primary
     * console, or a page granted to the backend for a secondary one), with {@code port} bound to
     * the backend's event channel. The page and the port stay the caller's: closing the console
     * stops using them and frees neither.
     */
    public static XenConsole frontend(MemorySegment page, EventChannels channels, int port) {
        BytePipe pipe = ConsoleRingPage.of(page).frontend();
        return new XenConsole(new PipeFlow("xen console", pipe, channels, port, new AlwaysNotify(),
                Promise::unit));
    }

    /**
     * The backend's end of the same page, as xenconsoled serves it: reads return the guest's
     * output, writes are the guest's keyboard input. A software backend for the model and tests;
     * the page and port stay the caller's.
     */
    public static Flow backend(MemorySegment page, EventChannels channels, int port) {
        BytePipe pipe = ConsoleRingPage.of(page).backend();
        return new PipeFlow("xen console backend", pipe, channels, port, new AlwaysNotify(), Promise::unit);
    }

    @Override
    public Promise<Void> log(String line) {
        return flow.write(MemorySegment.ofArray((line + "\n").getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public Promise<Read> read() {
        return flow.read();
    }

    @Override
    public Promise<Void> write(MemorySegment bytes) {
        return flow.write(bytes);
    }

    @Override
    public Promise<Void> writev(List<MemorySegment> segments) {
        return flow.writev(segments);
    }

    @Override
    public Promise<Void> shutdown(Direction direction) {
        return flow.shutdown(direction);
    }

    @Override
    public Promise<Void> close() {
        return flow.close();
    }

    /** Why the console is broken (the backend broke its ring), or empty while it is intact. */
    public Optional<Throwable> failure() {
        return flow.failure();
    }

    /** Bytes moved into the output ring so far. */
    public long bytesWritten() {
        return flow.bytesWritten();
    }

    /** The console's protocol: notify after every batch, never ask, nobody ever leaves. */
    private static final class AlwaysNotify implements PipeFlow.Signals {
        @Override
        public void wantData() {
            // the peer notifies after every write anyway
        }

        @Override
        public void wantSpace() {
            // the peer notifies after every read anyway
        }

        @Override
        public boolean notifyAfterWrite() {
            return true;
        }

        @Override
        public boolean notifyAfterRead() {
            return true;
        }

        @Override
        public Throwable peerGone() {
            return null;
        }

        @Override
        public void leave() {
            // xencons_interface has no way to say so
        }
    }
}
