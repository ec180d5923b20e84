package dev.weft.unix.fdtable;

import java.io.Closeable;
import java.io.FileInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The process's fd table, for scenarios that must run out of fds on purpose: run them in a JVM of
 * their own under a low {@code ulimit -n}, never in the test JVM. Shared with the samples' tests
 * as io-unix's test-jar ({@code <type>test-jar</type>}), which holds only this package.
 * <b>Threading:</b> any thread; the table is the process's, so one scenario fills it at a time.
 */
public final class FdTable {

    private FdTable() {}

    /**
     * Opens /dev/null until the process has no fd left (the open fails with EMFILE), and returns
     * the files opened, which the caller closes to give fds back, one at a time or all.
     */
    public static List<Closeable> fill() {
        List<Closeable> fillers = new ArrayList<>();
        try {
            while (true) {
                fillers.add(new FileInputStream("/dev/null"));
            }
        } catch (IOException outOfFds) {
            return fillers;
        }
    }
}
