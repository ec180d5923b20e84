package dev.weft.xen.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.unix.EngineKind;
import dev.weft.unix.Engines;
import dev.weft.unix.Errno;
import dev.weft.unix.ErrnoException;
import dev.weft.unix.net.Sockets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the Linux platform does where there is no Xen: a directory without the devices stands in
 * for a Linux that is not a Xen domain, so these run (and mean the same) on any machine.
 */
class LinuxXenPlatformTest {

    @TempDir
    Path noDevices;

    @Test
    void openingAPlatformWithoutTheEventChannelDeviceSaysNotInAXenDomain() {
        NotInXenDomainException failure = assertThrows(NotInXenDomainException.class,
                () -> LinuxXenPlatform.open(noDevices));

        assertEquals(noDevices.resolve("evtchn"), failure.device());
        assertTrue(failure.getMessage().startsWith("not running in a Xen domain"), failure.getMessage());
    }

    @Test
    void openingAMissingDeviceSaysNotInAXenDomainWithTheFailedOpenAsCause() {
        NotInXenDomainException failure = assertThrows(NotInXenDomainException.class,
                () -> LinuxGrantMapper.open(noDevices.resolve("gntdev")));

        ErrnoException cause = assertInstanceOf(ErrnoException.class, failure.getCause());
        assertEquals(Errno.ENOENT, cause.errno());
        assertEquals("open", cause.call());
    }

    @Test
    void eachDeviceOpenerSaysNotInAXenDomainWhenItsDeviceIsMissing() {
        assertThrows(NotInXenDomainException.class, () -> LinuxEventChannels.open(noDevices.resolve("evtchn")));
        assertThrows(NotInXenDomainException.class, () -> LinuxGrantAllocator.open(noDevices.resolve("gntalloc")));
        assertThrows(NotInXenDomainException.class, () -> LinuxGrantMapper.open(noDevices.resolve("gntdev")));
    }

    @Test
    void aGivenDomainIdIsTakenAsGivenAndANegativeOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> LinuxXenPlatform.open(noDevices, -1));
        assertThrows(NotInXenDomainException.class, () -> LinuxXenPlatform.open(noDevices, 3));
    }

    @Test
    void aMissingXenbusDeviceSaysNotInAXenDomain() {
        Engine engine = Engines.open(EngineKind.EPOLL);
        try (Loop loop = Loop.builder().engine(engine).build()) {
            Sockets sockets = Sockets.on(loop, engine);

            assertThrows(NotInXenDomainException.class,
                    () -> XenStoreFlows.openXenbus(sockets, noDevices.resolve("xenbus")));
        }
    }

    @Test
    void withoutXenstoredTheSocketConnectIsRejectedWithEnoentNamingThePaths() {
        assumeTrue(XenStoreFlows.SOCKET_PATHS.stream().noneMatch(Files::exists), "xenstored runs here");
        Engine engine = Engines.open(EngineKind.EPOLL);
        try (Loop loop = Loop.builder().engine(engine).build()) {
            Sockets sockets = Sockets.on(loop, engine);

            Promise<?> connect = XenStoreFlows.connectSocket(sockets, Duration.ofSeconds(5));

            ErrnoException failure = assertInstanceOf(ErrnoException.class, connect.failure());
            assertEquals(Errno.ENOENT, failure.errno());
            assertTrue(failure.getMessage().contains("/run/xenstored/socket"), failure.getMessage());
        }
    }
}
