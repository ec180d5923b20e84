package dev.weft.xen.linux;

import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.unix.Errno;
import dev.weft.unix.ErrnoException;
import dev.weft.unix.net.SocketFlow;
import dev.weft.unix.net.Sockets;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The two ways a Linux domain reaches xenstore, each as a byte-stream {@link Flow} carrying the
 * xenstore wire protocol (xs_wire.h) for the client in {@code dev.weft.xen.store}: xenstored's
 * Unix socket (dom0, or wherever xenstored runs), and the kernel's {@code /dev/xen/xenbus}
 * (any domain; the kernel relays to xenstore over its ring page).
 *
 * <p>Both ride io-unix: the socket is an ordinary Unix-domain {@link Sockets#connect}, the device
 * an fd adopted by {@link Sockets#adoptDevice} and watched by the loop's epoll engine like a
 * socket. The kernel's xenbus takes a request written in several pieces and may return a reply in
 * several reads, so the flow is a plain byte stream either way.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b>, as for the {@link Sockets} given. Stateless.
 */
public final class XenStoreFlows {

    /** Where xenstored listens, in the order tried: the current path, then the older one. */
    public static final List<Path> SOCKET_PATHS =
            List.of(Path.of("/run/xenstored/socket"), Path.of("/var/run/xenstored/socket"));
    /** The kernel's xenstore device. */
    public static final Path XENBUS = LinuxXenPlatform.DEVICES.resolve("xenbus");

    private XenStoreFlows() {}

    /**
     * Connects to xenstored's socket: the first of {@link #SOCKET_PATHS} that exists. Rejected
     * with an {@link ErrnoException} (ENOENT) naming the paths if none does (xenstored runs in
     * dom0; elsewhere use {@link #openXenbus}), or as {@link Sockets#connect} is rejected.
     */
    public static Promise<SocketFlow> connectSocket(Sockets sockets, Duration timeout) {
        for (Path path : SOCKET_PATHS) {
            if (Files.exists(path)) {
                return connectSocket(sockets, path, timeout);
            }
        }
        return Promise.rejected(ErrnoException.of("connect", "xenstored's socket: none of " + SOCKET_PATHS
                + " exists (xenstored runs in dom0; elsewhere use /dev/xen/xenbus)", Errno.ENOENT.number()));
    }

    /** Connects to a xenstored socket at {@code path}; rejected as {@link Sockets#connect} is. */
    public static Promise<SocketFlow> connectSocket(Sockets sockets, Path path, Duration timeout) {
        return sockets.connect(UnixDomainSocketAddress.of(path), timeout);
    }

    /**
     * Opens {@link #XENBUS} as a flow on the loop of {@code sockets} (its engine must be epoll).
     *
     * @throws NotInXenDomainException if the device is missing
     */
    public static Flow openXenbus(Sockets sockets) {
        return openXenbus(sockets, XENBUS);
    }

    /**
     * Opens the xenbus device at {@code path}, non-blocking, as a flow on the loop of {@code
     * sockets}. The flow owns the fd.
     *
     * @throws NotInXenDomainException if the device is missing
     * @throws IllegalStateException if the loop's engine is not epoll (the fd is closed again)
     */
    public static Flow openXenbus(Sockets sockets, Path path) {
        DeviceFile device = DeviceFile.open(path, true);
        try {
            return sockets.adoptDevice(device.fd, path.toString());
        } catch (RuntimeException e) {
            try {
                device.close();
            } catch (RuntimeException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
    }
}
