/**
 * The Unix backend: the epoll and NIO engines, native sockets, off-heap buffers, socket flows
 * ({@code dev.weft.unix.net}), signals as promises ({@code dev.weft.unix.signal}) and blocking
 * calls kept off the loop ({@code dev.weft.unix.blocking}). {@code dev.weft.unix.libc} (the raw
 * C bindings) is exported to io-xen alone.
 */
// "module": the qualified export names dev.weft.xen, which is built after this module.
@SuppressWarnings("module")
module dev.weft.unix {
    requires transitive dev.weft.loop;
    // sun.misc.Signal, reached reflectively by dev.weft.unix.signal (see JvmSignals).
    requires jdk.unsupported;
    exports dev.weft.unix;
    exports dev.weft.unix.epoll;
    exports dev.weft.unix.nio;
    exports dev.weft.unix.buffer;
    exports dev.weft.unix.socket;
    exports dev.weft.unix.net;
    exports dev.weft.unix.signal;
    exports dev.weft.unix.blocking;
    // The raw C bindings, for io-xen only: Linux's Xen devices are file descriptors (decided in #8).
    exports dev.weft.unix.libc to dev.weft.xen;
}
