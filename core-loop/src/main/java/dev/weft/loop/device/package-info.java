/**
 * The device signatures (MirageOS's {@code mirage-*} module types) that let one application run on
 * the Unix backend (io-unix) or the Xen backend (io-xen): {@link dev.weft.loop.device.Time},
 * {@link dev.weft.loop.device.Flow}, {@link dev.weft.loop.device.Network}, {@link
 * dev.weft.loop.device.Block}, {@link dev.weft.loop.device.Console} and {@link
 * dev.weft.loop.device.Random}; the clocks are {@link dev.weft.loop.Clock}. Application code is
 * written against these interfaces and is given an implementation at start-up.
 *
 * <p><b>Threading: every device belongs to one loop and every method MUST be called on that
 * loop's thread</b>; the promises they return are that loop's promises.
 *
 * <p><b>Failures.</b> Operations report failure by rejecting their promise, never by throwing,
 * with a device error: a {@link java.io.IOException}, or the backend's own typed exception that
 * names the failed call (io-unix rejects with its unchecked {@code ErrnoException}, and
 * {@code ConnectionException} for refused, reset and broken connections); {@link
 * java.nio.channels.ClosedChannelException} for use after close; and {@link
 * dev.weft.promise.Cancelled} when the caller cancelled the operation. Cancelling a pending
 * operation's promise abandons it where the device can (a read, a wait for a frame).
 *
 * <p><b>Data is {@link java.lang.foreign.MemorySegment}, not {@link java.nio.ByteBuffer}.</b> The
 * backends move data between off-heap memory and the kernel or the hypervisor: io-unix reads TCP
 * into pooled native segments, io-xen copies out of granted pages and shared rings. A segment has
 * no position/limit state to corrupt between calls, carries its own bounds (64-bit), can be
 * sliced without allocation of a new backing store, and is what the FFM calls take directly, so a
 * read needs no copy and no JNI-style pinning. A heap array is still usable: {@code
 * MemorySegment.ofArray(bytes)}; a ByteBuffer too: {@code MemorySegment.ofBuffer(buffer)}.
 *
 * <p><b>Ownership.</b> A segment passed to a write stays the caller's, but the caller must not
 * change it until the write's promise resolves, and the device must not touch it afterwards. A
 * segment a device hands out (a read's data, a received frame) is lent: valid until the next
 * read on the same flow, or until the frame callback returns, after which the device may reuse it
 * (a pool); a chunk handed to a {@link dev.weft.loop.device.Flow.ChunkHandler} is valid during
 * the call, or until the promise it answered resolves; copy what must be kept.
 */
package dev.weft.loop.device;
