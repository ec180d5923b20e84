package dev.weft.bench.libc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every row of LibcCallBench makes the call it is named for, under every binding, and leaks no fd. */
class LibcCallBenchTest {

    @ParameterizedTest
    @ValueSource(strings = {"plain", "errno", "critical+errno", "criticalHeap+errno"})
    void everyRowMakesItsCallAndTheTrialLeavesNoFdOpen(String binding) throws Throwable {
        long fdsBefore = openFds();
        LibcCallBench bench = new LibcCallBench();
        bench.binding = binding;
        bench.open();
        try {
            for (int i = 0; i < 3; i++) {
                assertEquals(2 * LibcCallBench.MESSAGE_BYTES, bench.sendRecv());
                assertEquals(2 * LibcCallBench.MESSAGE_BYTES, bench.sendRecvIntoArray());
                assertEquals(-1, bench.recvEmpty()); // EAGAIN: the pair is drained after each row
                assertEquals(1, bench.epollWaitReady());
                assertEquals(0, bench.epollCtlModify());
                assertEquals(i + 1, bench.emptyCall()); // labs(-(i + 1))
                assertEquals(0, bench.pointerCallShared());
                assertEquals(0, bench.pointerCallAuto());
            }
        } finally {
            bench.close();
        }
        assertEquals(fdsBefore, openFds());
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
