package dev.weft.unix.net;

import java.time.Duration;
import java.util.Objects;

/**
 * Per-connection bounds on output a {@link SocketFlow} has queued for a peer that is slow to read
 * (or never reads): water marks on the bytes the kernel has not taken yet, and a write timeout.
 * Immutable. Set for every flow of a {@link Sockets} ({@link Sockets#on(dev.weft.loop.Loop,
 * FlowOptions)}) or for one flow ({@link SocketFlow#setFlowOptions}).
 *
 * <p><b>Water marks</b> (Netty's WriteBufferWaterMark, in the library so that every protocol on a
 * flow gets them). Once more than {@code highWaterMark} bytes wait in the flow's write queue, the
 * flow stops reading: a pending or later {@link SocketFlow#read()} stays pending, and the kernel's
 * receive window closes on the peer, until the queue drains to {@code lowWaterMark} or less. So a
 * protocol that answers every read with a write, without waiting for the write, queues at most
 * about {@code highWaterMark} plus one read's worth of output per connection, however much the
 * peer sends while it does not read. A writer that waits for each write (the natural promise
 * loop) never goes past one write anyway; the marks bound the ones that do not.
 *
 * <p><b>Who pauses.</b> The marks pause the reads of <em>accepted</em> flows: they are a server's
 * defence against clients. Flows made by {@link Sockets#connect} and {@link Sockets#adoptDevice}
 * keep the write timeout but never pause ({@link #withoutReadPause()}), because pausing on both ends can deadlock: a client that
 * writes more than the high mark in one go and reads the answer to that same data meanwhile (a
 * large upload to an echo, a proxy) would stop reading while the server, its output unread, had
 * stopped too; neither would drain the other until the write timeout. Set other marks on one
 * flow with {@link SocketFlow#setFlowOptions}; {@code Long.MAX_VALUE} turns the pause off.
 *
 * <p><b>Write timeout</b> (nginx's send_timeout): if queued output makes no progress (the kernel
 * takes no byte of it) for {@code writeTimeout}, the flow resets the connection (SO_LINGER 0, so
 * the peer learns at once instead of a FIN that would wait behind the bytes it does not read),
 * closes, and rejects its pending writes and read with {@link WriteTimeoutException}. A slow peer
 * that keeps reading is never cut off; one that stopped reading is, and the memory its output held
 * is freed. Before it gives up, the flow offers its queue to the kernel once more: the engines
 * report a socket writable only once a third of its send buffer is free, which a peer that reads
 * slowly but steadily may take longer than the timeout to free, while any byte the kernel takes
 * shows that the peer acknowledged some.
 *
 * <p><b>Output counts until the peer has it</b> (epoll engine). Once a flow's queue has drained
 * into the kernel, the flow keeps watching the bytes the kernel still holds for the peer (sent or
 * not, unacknowledged: {@code ioctl(SIOCOUTQ)}) until the peer has acknowledged them all, and a
 * peer that acknowledges none of them for {@code writeTimeout} is cut off the same way, even while
 * the flow only waits to read: an HTTP server waiting for the next request of a client that never
 * reads its answers, whose kernel has stopped sending that request, is not held until its idle
 * timeout. The acknowledgements are looked at once per timeout period, so this fires between one
 * and two write timeouts after the last one. It costs one {@code ioctl} when a queue drains and
 * one per period while the watch lasts; a write the kernel takes at once costs nothing, and output
 * that never had to queue is not watched (a peer that stops reading then is the read or idle
 * timeout's business). On the NIO engine only queued output counts: Java's channels expose neither
 * the kernel's queue nor TCP_USER_TIMEOUT; nor on Unix sockets, whose SIOCOUTQ counts buffer
 * memory rather than bytes; nor on a CPU architecture whose SIOCOUTQ number Weft does not know
 * (it knows x86, ARM, RISC-V, s390x, LoongArch, MIPS, PowerPC and SPARC).
 *
 * @param lowWaterMark reads resume once the queued bytes fall to this or less
 * @param highWaterMark reads pause while more bytes than this are queued
 * @param writeTimeout how long queued output may wait without progress before the flow is closed
 */
public record FlowOptions(long lowWaterMark, long highWaterMark, Duration writeTimeout) {

    /** 32 KiB low, 64 KiB high (Netty's defaults), 30 s write timeout. */
    public static final FlowOptions DEFAULT = new FlowOptions(32 * 1024, 64 * 1024, Duration.ofSeconds(30));

    /**
     * Checks the bounds.
     *
     * @throws IllegalArgumentException unless {@code 0 <= lowWaterMark <= highWaterMark} and the
     *     write timeout is positive
     */
    public FlowOptions {
        Objects.requireNonNull(writeTimeout, "writeTimeout");
        if (lowWaterMark < 0 || highWaterMark < lowWaterMark) {
            throw new IllegalArgumentException("water marks must satisfy 0 <= low <= high, were low="
                    + lowWaterMark + ", high=" + highWaterMark);
        }
        if (writeTimeout.isNegative() || writeTimeout.isZero()) {
            throw new IllegalArgumentException("write timeout must be positive, was " + writeTimeout);
        }
    }

    /** These options with reads never paused (both marks {@code Long.MAX_VALUE}), the same write timeout. */
    public FlowOptions withoutReadPause() {
        return new FlowOptions(Long.MAX_VALUE, Long.MAX_VALUE, writeTimeout);
    }

    /** These options with another write timeout. */
    public FlowOptions withWriteTimeout(Duration writeTimeout) {
        return new FlowOptions(lowWaterMark, highWaterMark, writeTimeout);
    }
}
