package dev.weft.unix;

/**
 * A system call failed: says which call, on what, and why, e.g.
 * {@code epoll_ctl(ADD, fd=12): EBADF (fd already closed?)}.
 *
 * <p>Immutable, so safe to pass between threads. Unchecked, because Weft's I/O reports failures
 * by rejecting promises and the engine SPI declares no checked exceptions. Callers that handle a
 * particular failure switch on {@link #errno()}; {@link ConnectionException} groups the errors
 * that mean "the peer or the network said no", which a server usually treats differently from a
 * programming error.
 */
public class ErrnoException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String call;
    private final String arguments;
    private final Errno errno;
    private final int errnoValue;

    /**
     * Creates an exception for a failed call.
     *
     * @param call the C function's name, e.g. {@code "epoll_ctl"}
     * @param arguments the arguments that identify what failed, e.g. {@code "ADD, fd=12"}
     * @param errnoValue the raw errno the call left
     */
    public ErrnoException(String call, String arguments, int errnoValue) {
        super(message(call, arguments, errnoValue));
        this.call = call;
        this.arguments = arguments;
        this.errno = Errno.of(errnoValue);
        this.errnoValue = errnoValue;
    }

    /**
     * Creates the most specific exception for a failed call: a {@link ConnectionException} when
     * the errno is about the peer or the network, otherwise a plain {@code ErrnoException}.
     *
     * @param call the C function's name
     * @param arguments the arguments that identify what failed
     * @param errnoValue the raw errno the call left
     * @return the exception, for the caller to throw
     */
    public static ErrnoException of(String call, String arguments, int errnoValue) {
        return ConnectionException.isConnectionError(Errno.of(errnoValue))
                ? new ConnectionException(call, arguments, errnoValue)
                : new ErrnoException(call, arguments, errnoValue);
    }

    /** The C function that failed, e.g. {@code "connect"}. */
    public String call() {
        return call;
    }

    /** The arguments that identify what failed, as shown in the message. */
    public String arguments() {
        return arguments;
    }

    /** The error, or {@link Errno#UNKNOWN} if this enum does not name it. */
    public Errno errno() {
        return errno;
    }

    /** The raw error number the call left. */
    public int errnoValue() {
        return errnoValue;
    }

    private static String message(String call, String arguments, int errnoValue) {
        Errno errno = Errno.of(errnoValue);
        String name = errno == Errno.UNKNOWN ? "errno " + errnoValue : errno.name();
        return call + "(" + arguments + "): " + name + " (" + errno.hint() + ")";
    }
}
