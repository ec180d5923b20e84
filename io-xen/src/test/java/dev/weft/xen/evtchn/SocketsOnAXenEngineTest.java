package dev.weft.xen.evtchn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Loop;
import dev.weft.unix.net.Sockets;
import dev.weft.unix.net.UnsupportedEngineException;
import dev.weft.xen.sim.SimDomain;
import dev.weft.xen.sim.SimHypervisor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** A loop blocking on event channels alone cannot watch sockets: Sockets.on says which engine can. */
class SocketsOnAXenEngineTest {

    @Test
    void socketsOnALoopOfTheXenEngineAreRefusedWithTheEngineToUseAndLeakNothing() throws IOException {
        SimHypervisor xen = new SimHypervisor();
        SimDomain domain = xen.createDomain();
        try (EventChannelDevice device = domain.openEventChannels();
                Loop loop = Loop.builder().engine(new XenEngine(device)).build()) {
            long before = openFds();

            UnsupportedEngineException refused = assertThrows(UnsupportedEngineException.class, () -> Sockets.on(loop));

            assertEquals("XenEngine", refused.engineName());
            assertTrue(refused.getMessage().contains("EpollEngine"), refused.getMessage());
            assertTrue(refused.getMessage().contains("sockets and event channels together"), refused.getMessage());
            assertEquals(before, openFds());
        }
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
