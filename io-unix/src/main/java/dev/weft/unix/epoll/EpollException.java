package dev.weft.unix.epoll;

import dev.weft.unix.ErrnoException;

/**
 * An epoll or eventfd call failed, e.g. {@code epoll_ctl(ADD, fd=12): EBADF (fd already closed?)}.
 *
 * <p>Immutable. Almost always a programming error on the caller's side (a source closed before it
 * was unregistered, registered twice) or fd exhaustion ({@link dev.weft.unix.Errno#EMFILE}).
 */
public final class EpollException extends ErrnoException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception for a failed call.
     *
     * @param call the C function's name, e.g. {@code "epoll_ctl"}
     * @param arguments the arguments that identify what failed, e.g. {@code "ADD, fd=12"}
     * @param errnoValue the raw errno the call left
     */
    public EpollException(String call, String arguments, int errnoValue) {
        super(call, arguments, errnoValue);
    }
}
