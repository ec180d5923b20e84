package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A server started with an option value it cannot use (a careless user, a typo in a unit file)
 * says which option and why, prints the usage and exits with status 2, as for an unknown option;
 * never a stack trace, and before any loop starts. Each case runs the server in a child JVM.
 */
@Timeout(300)
class BadOptionsTest {

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({
        "dev.weft.samples.HttpServerMain, --port, abc",
        "dev.weft.samples.HttpServerMain, --port, 70000",
        "dev.weft.samples.HttpServerMain, --port, -1",
        "dev.weft.samples.HttpServerMain, --loops, 0",
        "dev.weft.samples.HttpServerMain, --engine, foo",
        "dev.weft.samples.HttpServerMain, --grace-ms, soon",
        "dev.weft.samples.HttpServerMain, --idle-timeout-ms, -5",
        "dev.weft.samples.HttpServerMain, --host, no.such.host.invalid",
        "dev.weft.samples.HttpServerMain, --header-timeout-ms, 0",
        "dev.weft.samples.EchoServer, --write-timeout-ms, x",
        "dev.weft.samples.EchoServer, --write-timeout-ms, 0",
        "dev.weft.samples.EchoServer, --loops, many",
    })
    void aValueTheServerCannotUseIsNamedWithTheUsageAndStatusTwo(String server, String option, String value)
            throws Exception {
        ServerProcess.Exit exit = ServerProcess.runToExit(server, 1024, List.of(option, value));

        assertEquals(2, exit.status(), exit.output());
        assertTrue(exit.output().contains(option), "names the option: " + exit.output());
        assertTrue(exit.output().contains("usage:"), exit.output());
        assertFalse(exit.output().contains("Exception"), "no stack trace: " + exit.output());
    }
}
