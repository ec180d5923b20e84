package dev.weft.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.Test;

class ErrnoExceptionTest {

    @Test
    void messageNamesTheCallItsArgumentsTheErrnoAndAHint() {
        ErrnoException e = new ErrnoException("epoll_ctl", "ADD, fd=12", 9);

        assertEquals("epoll_ctl(ADD, fd=12): EBADF (fd already closed?)", e.getMessage());
    }

    @Test
    void connectionErrorsBecomeConnectionExceptions() {
        ErrnoException e = ErrnoException.of("connect", "fd=7, 127.0.0.1:1", Errno.ECONNREFUSED.number());

        assertInstanceOf(ConnectionException.class, e);
        assertEquals(Errno.ECONNREFUSED, e.errno());
    }

    @Test
    void otherErrorsStayPlainErrnoExceptions() {
        ErrnoException e = ErrnoException.of("bind", "fd=7", Errno.EADDRINUSE.number());

        assertEquals(ErrnoException.class, e.getClass());
    }

    @Test
    void anUnnamedErrnoKeepsItsNumber() {
        ErrnoException e = new ErrnoException("ioctl", "fd=3", 121);

        assertEquals(Errno.UNKNOWN, e.errno());
        assertEquals(121, e.errnoValue());
        assertEquals("ioctl(fd=3): errno 121 (unknown error)", e.getMessage());
    }

    @Test
    void everyNamedErrnoMapsBackFromItsNumber() {
        for (Errno errno : Errno.values()) {
            if (errno != Errno.UNKNOWN) {
                assertEquals(errno, Errno.of(errno.number()));
            }
        }
    }
}
