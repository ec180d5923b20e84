package dev.weft.unix.libc;

import dev.weft.unix.Errno;
import dev.weft.unix.ErrnoException;

/**
 * What the result of a read or write on a non-blocking fd means, the same for a socket, a device
 * and a pipe: bytes moved, nothing now ({@code EAGAIN}), end of stream (a read of 0 bytes that
 * asked for some), or a failure, thrown as an {@link ErrnoException} naming the call and the fd.
 * Stateless; any thread. Allocates only to throw, so the loop's hot read and write paths stay
 * free of garbage.
 */
public final class NonBlocking {
    private NonBlocking() {}

    /**
     * The outcome of a {@code read}-like call that returned {@code result} (bytes, or a negated
     * errno) after asking for nothing ({@code askedForNothing}: an empty buffer, no iovecs) or
     * for something.
     *
     * @param owner what the fd is, for the message (e.g. a device's path), or null
     * @return bytes read; {@code 0} if nothing is available now (or nothing was asked for);
     *     {@code -1} at end of stream
     * @throws ErrnoException for any error but {@code EAGAIN}
     */
    public static long read(long result, boolean askedForNothing, String call, String owner, int fd) {
        if (result > 0) {
            return result;
        }
        if (result == 0) {
            return askedForNothing ? 0 : -1;
        }
        return wouldBlock(result, call, owner, fd);
    }

    /**
     * The outcome of a {@code write}-like call that returned {@code result}.
     *
     * @param owner what the fd is, for the message, or null
     * @return bytes written, possibly fewer than offered; {@code 0} if there is no room now
     * @throws ErrnoException for any error but {@code EAGAIN}
     */
    public static long write(long result, String call, String owner, int fd) {
        return result >= 0 ? result : wouldBlock(result, call, owner, fd);
    }

    /**
     * 0 for {@code -EAGAIN} (the call would have blocked); for any other negated errno, throws.
     *
     * @param owner what the fd is, for the message, or null
     * @throws ErrnoException naming the call and the fd, unless the errno is {@code EAGAIN}
     */
    public static long wouldBlock(long negatedErrno, String call, String owner, int fd) {
        if (negatedErrno == -Errno.EAGAIN.number()) {
            return 0;
        }
        throw ErrnoException.of(call, owner == null ? "fd=" + fd : owner + ", fd=" + fd, (int) -negatedErrno);
    }
}
