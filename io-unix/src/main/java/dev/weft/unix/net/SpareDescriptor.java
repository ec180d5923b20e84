package dev.weft.unix.net;

import dev.weft.unix.Errno;
import dev.weft.unix.libc.Libc;
import java.io.IOException;
import java.nio.channels.DatagramChannel;

/**
 * One file descriptor a listener holds back for the moment the process runs out of them: closed,
 * it lets one {@code accept} succeed so that the connections stuck in the kernel's backlog can be
 * taken and closed at once (their clients see a reset instead of hanging until they time out),
 * then it is taken again. An eventfd on epoll (cheapest fd there is); a DatagramChannel on NIO,
 * which may run where there is no eventfd.
 *
 * <p>Threading: one thread at a time ({@link FdReserve} holds every listener's spare under its
 * lock). Best effort: if taking the fd back fails (the fd freed was grabbed meanwhile), the spare
 * is {@linkplain #owed() owed} until the reserve can take it again.
 */
final class SpareDescriptor implements AutoCloseable {
    private final boolean nio;
    private int fd = -1;
    private DatagramChannel channel;
    /** Whether it was ever held: one never taken (no fd to spare at all) is not owed. */
    private boolean wasHeld;
    /**
     * Whether the last {@link #take} that failed failed for another reason than the process (or
     * the kernel) being short of fds: the spare cannot be had however many fds are free.
     */
    private boolean unobtainable;

    SpareDescriptor(boolean nio) {
        this.nio = nio;
        take();
    }

    /** Whether the spare fd is held now. */
    boolean held() {
        return nio ? channel != null : fd >= 0;
    }

    /**
     * Whether it was held once and is not now: given back for a shed, or lost, and to be taken
     * again as soon as the process has an fd free.
     */
    boolean owed() {
        return wasHeld && !held();
    }

    /** Stops counting it as {@linkplain #owed() owed} until it is held again. */
    void forgive() {
        wasHeld = held();
    }

    /**
     * Takes the spare fd if it is not held; does nothing if the process has none to give (see
     * {@link #unobtainable()} for why it failed).
     */
    void take() {
        if (held()) {
            return;
        }
        Errno failure = nio ? openChannel() : openEventFd();
        unobtainable = failure != null && !isShortage(failure);
        wasHeld |= held();
    }

    /**
     * Whether the last take failed for another reason than a shortage of fds (or of kernel
     * memory): taking it again when an fd is free would fail as well.
     */
    boolean unobtainable() {
        return !held() && unobtainable;
    }

    /** Opens the NIO spare; the failure, or null. */
    private Errno openChannel() {
        try {
            channel = DatagramChannel.open();
            return null;
        } catch (IOException e) {
            channel = null;
            return NioErrors.translate("socket", "a spare fd", e).errno();
        } catch (RuntimeException e) { // no IPv6 or IPv4 socket at all, say
            channel = null;
            return Errno.EIO;
        }
    }

    /** Opens the epoll spare; the failure, or null. */
    private Errno openEventFd() {
        int opened = Libc.eventfd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        fd = opened >= 0 ? opened : -1;
        return opened >= 0 ? null : Errno.of(-opened);
    }

    /** The errors that say the process or the kernel is out of fds or memory right now. */
    static boolean isShortage(Errno errno) {
        return errno == Errno.EMFILE || errno == Errno.ENFILE || errno == Errno.ENOBUFS || errno == Errno.ENOMEM;
    }

    /** Gives the spare fd back to the process, so that the next fd the process opens succeeds. */
    void release() {
        if (nio) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // the fd is released whatever close reports
                }
                channel = null;
            }
        } else if (fd >= 0) {
            Libc.close(fd);
            fd = -1;
        }
    }

    @Override
    public void close() {
        release();
    }
}
