package dev.weft.xen.sim;

import dev.weft.loop.Engine;
import dev.weft.unix.epoll.EpollEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Test helpers about file descriptors: whether one polls readable, how many the process has open. */
public final class Fds {
    private Fds() {}

    /** Whether {@code fd} polls readable right now (one epoll_wait with timeout 0). */
    public static boolean readable(int fd) {
        try (EpollEngine epoll = new EpollEngine(1)) {
            boolean[] seen = new boolean[1];
            epoll.register(fd, Engine.READABLE, events -> seen[0] = true);
            epoll.poll(0);
            epoll.unregister(fd);
            return seen[0];
        }
    }

    /** The number of file descriptors this process has open. */
    public static long open() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
