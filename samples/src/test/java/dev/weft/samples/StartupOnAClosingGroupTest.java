package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.LoopClosed;
import dev.weft.loop.LoopGroup;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A server's startup when a loop of its group closes before or while it starts (a signal during
 * startup, a loop that failed): the startup fails with {@link LoopClosed} itself, and closes what
 * it opened (the other loops, their listeners and sockets), so no fd stays open behind the
 * failure. Both servers, the echo server and the HTTP server, on two loops.
 */
@Timeout(120)
class StartupOnAClosingGroupTest {

    /** The two servers' startups, each on a group the test makes (and may close a loop of). */
    enum Server {
        ECHO(EchoServer::options, (options, group) -> EchoServer.serveTcp(options, group).group()),
        HTTP(HttpServerMain::options, (options, group) -> HttpServerMain.start(options, group).group());

        private static final String[] ARGS = {"--port", "0", "--loops", "2"};
        private final Function<String[], SampleOptions> parse;
        private final BiFunction<SampleOptions, LoopGroup, LoopGroup> start;

        Server(Function<String[], SampleOptions> parse, BiFunction<SampleOptions, LoopGroup, LoopGroup> start) {
            this.parse = parse;
            this.start = start;
        }

        SampleOptions options() {
            return parse.apply(ARGS);
        }

        /** Starts the server on {@code group}; returns the group it runs on. */
        LoopGroup start(SampleOptions options, LoopGroup group) {
            return start.apply(options, group);
        }

        LoopGroup startedGroup(SampleOptions options) {
            LoopGroup group = options.loopGroup("startup-" + name());
            group.start();
            return group;
        }
    }

    @ParameterizedTest
    @EnumSource(Server.class)
    void aLoopClosedBeforeStartupFailsItWithLoopClosedAndLeavesNoFdOpen(Server server) {
        SampleOptions options = server.options();
        warmUp(server, options);
        long fdsBefore = OpenFds.count();
        LoopGroup group = server.startedGroup(options);
        group.loop(1).close();

        assertThrows(LoopClosed.class, () -> server.start(options, group));

        assertTrue(group.isClosed(), "the startup closed the loops it was given");
        assertEquals(fdsBefore, OpenFds.count(), "every epoll, eventfd and listener is released");
    }

    @ParameterizedTest
    @EnumSource(Server.class)
    void aLoopClosingWhileTheServerStartsLeavesNoFdOpenWhateverTheStartupGot(Server server) throws Exception {
        SampleOptions options = server.options();
        warmUp(server, options);
        long fdsBefore = OpenFds.count();
        for (int round = 0; round < 20; round++) {
            LoopGroup group = server.startedGroup(options);
            CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> group.loop(1).close());
            try {
                server.start(options, group);
            } catch (LoopClosed refused) {
                assertTrue(group.isClosed(), "a failed startup closed its loops");
            }
            closing.get(30, TimeUnit.SECONDS);
            group.close();
            assertEquals(fdsBefore, OpenFds.count(), "round " + round + ": every fd is released");
        }
    }

    /** One startup and stop, so that the classes are loaded (and their jars opened) before counting. */
    private static void warmUp(Server server, SampleOptions options) {
        server.start(options, server.startedGroup(options)).close();
    }
}
