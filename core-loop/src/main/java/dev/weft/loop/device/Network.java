package dev.weft.loop.device;

import dev.weft.promise.Promise;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.Consumer;

/**
 * An Ethernet-like network interface that sends and receives whole frames (MirageOS's {@code
 * Mirage_net.S}): a TAP device on io-unix, netfront on io-xen.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b>, and the frame handler runs on the loop thread.
 */
public interface Network {

    /** The largest payload of a frame, in bytes, excluding the Ethernet header (1500 on most links). */
    int mtu();

    /** The interface's own MAC address. */
    MacAddress mac();

    /**
     * Sends one frame, header included, made of {@code fragments} in order (at most {@code mtu()}
     * plus the header size in all). Fulfilled once the device has taken the frame (not once it
     * was received); the fragments must not change until then. Rejected with an IOException if
     * the frame is too large or the device failed, ClosedChannelException after {@link
     * #disconnect()}.
     */
    Promise<Void> write(List<MemorySegment> fragments);

    /**
     * Delivers every received frame to {@code handler}, one at a time, until {@link
     * #disconnect()}; the returned promise is fulfilled then, or rejected if the device fails.
     * Each frame segment is lent only for the duration of the call. Only one listener at a time:
     * a second call is rejected with IllegalStateException.
     */
    Promise<Void> listen(Consumer<MemorySegment> handler);

    /** Stops listening, fails pending writes, and releases the device. Idempotent. */
    Promise<Void> disconnect();
}
