package dev.weft.samples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The number of file descriptors this process has open, from {@code /proc/self/fd}: what leak tests count. */
final class OpenFds {
    private OpenFds() {}

    /** How many fds are open now (the listing's own directory fd included, the same for every call). */
    static long count() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
