package dev.weft.unix.signal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;

/** Sends a real signal to this test JVM with the {@code kill} command, as a user would. */
final class SelfSignal {
    private SelfSignal() {}

    /** Runs {@code kill <signal> <this pid>} (e.g. {@code "-USR1"}) and checks that it succeeded. */
    static void send(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", signal, Long.toString(ProcessHandle.current().pid()))
                .inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill " + signal + " exit status");
    }
}
