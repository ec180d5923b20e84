package dev.weft.unix.net;

import dev.weft.unix.Errno;
import dev.weft.unix.ErrnoException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;

/**
 * Turns the IOExceptions of java.nio into the {@link ErrnoException}s the native backend throws,
 * so that callers (and the conformance suite) see one failure type whatever the engine. Stateless.
 *
 * <p>The JDK does not expose the errno, so it is recovered from the exception's type or from the
 * strerror text the JDK puts in its message; what cannot be recognised becomes {@code EIO}. The
 * original exception is always the cause.
 */
final class NioErrors {

    private NioErrors() {}

    static ErrnoException translate(String call, Object what, IOException e) {
        ErrnoException translated = ErrnoException.of(call, String.valueOf(what), errno(e).number());
        translated.initCause(e);
        return translated;
    }

    private static Errno errno(IOException e) {
        if (e instanceof ClosedChannelException) {
            return Errno.EBADF;
        }
        if (e instanceof NoRouteToHostException) {
            return Errno.EHOSTUNREACH;
        }
        String message = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
        if (e instanceof ConnectException || message.contains("refused")) {
            return message.contains("timed out") ? Errno.ETIMEDOUT : Errno.ECONNREFUSED;
        }
        if (message.contains("reset")) {
            return Errno.ECONNRESET;
        }
        if (message.contains("broken pipe")) {
            return Errno.EPIPE;
        }
        if (message.contains("timed out")) {
            return Errno.ETIMEDOUT;
        }
        if (message.contains("network is unreachable")) {
            return Errno.ENETUNREACH;
        }
        if (message.contains("address already in use")) {
            return Errno.EADDRINUSE;
        }
        if (message.contains("too many open files")) {
            return Errno.EMFILE;
        }
        return Errno.EIO;
    }
}
