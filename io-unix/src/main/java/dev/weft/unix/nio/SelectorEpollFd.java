package dev.weft.unix.nio;

import dev.weft.unix.libc.Libc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.Selector;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Finds the epoll file descriptor behind a JDK {@link Selector} on Linux, which the JDK keeps to
 * itself, so that a readiness probe can watch it ({@link NioEngine}'s quiet polls).
 *
 * <p>How, and why it cannot pick a wrong fd: the fds that name an epoll instance
 * ({@code anon_inode:[eventpoll]} in {@code /proc/self/fd}) are listed before and after the
 * Selector is opened; each new one is then tested against the Selector's own behaviour. On Linux
 * a Selector wakes up through an eventfd or pipe registered in its epoll set, so its epoll fd is
 * readable right after {@link Selector#wakeup()} and no longer once a {@link Selector#selectNow()}
 * has consumed the wake-up. A candidate must follow that pattern {@value #CHECKS} times in a row,
 * and exactly one candidate may pass; otherwise nothing is returned and the engine polls as it
 * always did. Another thread's epoll fd opened at the same moment does not follow our wake-ups,
 * and an fd closed and reused meanwhile fails the test.
 *
 * <p>Threading: call it on the thread that owns the Selector, before the Selector is used
 * (the test selects on it). Linux only; elsewhere, or without {@code /proc}, it finds nothing.
 */
final class SelectorEpollFd {

    /** How many wake-up/select cycles a candidate must follow. */
    private static final int CHECKS = 3;
    private static final Path FDS = Path.of("/proc/self/fd");
    private static final String EPOLL_LINK = "anon_inode:[eventpoll]";
    /** {@code poll} event: the fd is not open. */
    private static final short POLLNVAL = 0x020;

    private SelectorEpollFd() {}

    /** The epoll fds this process has open now, or an empty list if {@code /proc} cannot tell. */
    static List<Integer> epollFds() {
        List<Integer> found = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(FDS)) {
            for (Path fd : fds) {
                if (isEpoll(fd)) {
                    found.add(Integer.parseInt(fd.getFileName().toString()));
                }
            }
        } catch (IOException | UncheckedIOException | SecurityException e) {
            return List.of(); // no /proc (not Linux, or hidden): no probe, nothing else changes
        }
        return found;
    }

    private static boolean isEpoll(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString().equals(EPOLL_LINK);
        } catch (IOException e) {
            return false; // closed since the listing (the listing's own fd among them)
        }
    }

    /**
     * Among {@code candidates} (epoll fds that appeared while {@code selector} was opened), the
     * one that is the Selector's, or empty if not exactly one follows its wake-ups.
     */
    static OptionalInt find(Selector selector, List<Integer> candidates) {
        int found = -1;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pollfd = arena.allocate(Libc.POLLFD_BYTES);
            for (int candidate : candidates) {
                if (followsWakeups(selector, candidate, pollfd)) {
                    if (found >= 0) {
                        return OptionalInt.empty();
                    }
                    found = candidate;
                }
            }
        } catch (IOException e) {
            return OptionalInt.empty();
        }
        return found >= 0 ? OptionalInt.of(found) : OptionalInt.empty();
    }

    private static boolean followsWakeups(Selector selector, int candidate, MemorySegment pollfd) throws IOException {
        selector.selectNow();
        for (int i = 0; i < CHECKS; i++) {
            if (readable(candidate, pollfd) != Boolean.FALSE) {
                return false;
            }
            selector.wakeup();
            if (readable(candidate, pollfd) != Boolean.TRUE) {
                selector.selectNow();
                return false;
            }
            selector.selectNow();
        }
        return readable(candidate, pollfd) == Boolean.FALSE;
    }

    /** Whether {@code fd} is readable now, or null if poll(2) refuses it (closed meanwhile). */
    private static Boolean readable(int fd, MemorySegment pollfd) {
        pollfd.set(ValueLayout.JAVA_INT, 0, fd);
        pollfd.set(ValueLayout.JAVA_SHORT, 4, Libc.POLLIN);
        pollfd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
        int ready = Libc.poll(pollfd, 1, 0);
        short revents = pollfd.get(ValueLayout.JAVA_SHORT, 6);
        if (ready < 0 || (revents & POLLNVAL) != 0) {
            return null;
        }
        return (revents & Libc.POLLIN) != 0;
    }
}
