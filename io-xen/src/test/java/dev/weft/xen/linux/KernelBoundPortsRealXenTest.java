package dev.weft.xen.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link KernelBoundPorts} and {@link LinuxPrivcmd#sendEvent} in dom0, on a channel from this
 * domain to itself bound through {@code /dev/xen/evtchn}: an event sent through privcmd on one end
 * is reported on the other, and an adopted port is reported at the device's ticks, once until
 * unmasked. (Mapping a frame through privcmd is proven by {@code PrimaryConsoleRealXenTest}, in a
 * guest.) Tagged real-xen: run by {@code ./weft test --xen} in dom0. The fd count is checked after
 * each test.
 */
@Tag("real-xen")
class KernelBoundPortsRealXenTest {
    private static final Duration RECHECK = Duration.ofMillis(1);

    private LinuxXenPlatform platform;
    private long fdsBefore;

    @BeforeEach
    void open() throws IOException {
        fdsBefore = LinuxDevicesRealXenTest.openFds();
        platform = LinuxXenPlatform.open();
    }

    @AfterEach
    void noFdIsLeft() throws IOException {
        assertEquals(fdsBefore, LinuxDevicesRealXenTest.openFds(), "privcmd, the timerfd and evtchn are closed again");
    }

    @Test
    void anEventSentThroughPrivcmdIsReportedOnThePortsPeer() {
        try (LinuxEventChannels channels = platform.openEventChannels();
             LinuxPrivcmd privcmd = LinuxPrivcmd.open();
             KernelBoundPorts ports = KernelBoundPorts.open(privcmd, RECHECK)) {
            int a = channels.bindUnboundPort(platform.domainId());
            int b = channels.bindInterdomain(platform.domainId(), a);
            assertEquals(List.of(b), LinuxDevicesRealXenTest.awaitReport(channels, b), "Xen's event for the fresh binding");
            channels.unmask(b);

            ports.notify(ports.adopt(a));

            assertEquals(List.of(b), LinuxDevicesRealXenTest.awaitReport(channels, b));
        }
    }

    @Test
    void anAdoptedPortIsReportedAtATickAndNotAgainUntilUnmasked() {
        try (LinuxEventChannels channels = platform.openEventChannels();
             LinuxPrivcmd privcmd = LinuxPrivcmd.open();
             KernelBoundPorts ports = KernelBoundPorts.open(privcmd, RECHECK)) {
            int a = channels.bindUnboundPort(platform.domainId());
            int other = channels.bindUnboundPort(platform.domainId());
            ports.adopt(a);

            assertEquals(List.of(a), LinuxDevicesRealXenTest.awaitReport(ports, a));
            ports.adopt(other);
            assertEquals(List.of(other), LinuxDevicesRealXenTest.awaitReport(ports, other), "a is masked: only other");
            ports.unmask(a);
            assertEquals(List.of(a), LinuxDevicesRealXenTest.awaitReport(ports, a), "reported again once unmasked");
        }
    }

    @Test
    void bindingIsRefusedAndNotifyingAPortNotAdoptedIsAnError() {
        try (LinuxPrivcmd privcmd = LinuxPrivcmd.open();
             KernelBoundPorts ports = KernelBoundPorts.open(privcmd, RECHECK)) {
            assertThrows(UnsupportedOperationException.class, () -> ports.bindUnboundPort(0));
            assertThrows(UnsupportedOperationException.class, () -> ports.bindInterdomain(0, 1));
            assertThrows(UnsupportedOperationException.class, () -> ports.bindVirq(0));
            assertThrows(IllegalArgumentException.class, () -> ports.notify(1));
        }
    }
}
