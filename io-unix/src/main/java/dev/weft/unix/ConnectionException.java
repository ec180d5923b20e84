package dev.weft.unix;

/**
 * A socket call failed because of the peer or the network (refused, reset, broken pipe,
 * unreachable, timed out), not because of how it was called.
 *
 * <p>Immutable. A server usually logs these and drops the one connection; a client may retry.
 * {@link ErrnoException#of} picks this type from the errno, so callers never need to.
 */
// sealed: the one subtype (a write timeout) lives with the flows that raise it
public sealed class ConnectionException extends ErrnoException permits dev.weft.unix.net.WriteTimeoutException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception for a failed call.
     *
     * @param call the C function's name, e.g. {@code "connect"}
     * @param arguments the arguments that identify what failed, e.g. {@code "fd=7, 127.0.0.1:8080"}
     * @param errnoValue the raw errno the call left
     */
    public ConnectionException(String call, String arguments, int errnoValue) {
        super(call, arguments, errnoValue);
    }

    static boolean isConnectionError(Errno errno) {
        return switch (errno) {
            case ECONNREFUSED, ECONNRESET, ECONNABORTED, EPIPE, ETIMEDOUT, EHOSTUNREACH,
                 ENETUNREACH, ENETDOWN -> true;
            default -> false;
        };
    }
}
