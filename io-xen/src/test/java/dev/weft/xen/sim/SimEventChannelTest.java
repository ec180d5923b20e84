package dev.weft.xen.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.xen.evtchn.EventChannelDevice;
import dev.weft.xen.evtchn.EventChannelException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The model's event channels against Xen's semantics, through the device SPI. */
class SimEventChannelTest {
    private final SimHypervisor xen = new SimHypervisor();
    private final SimDomain front = xen.createDomain();
    private final SimDomain back = xen.createDomain();
    private final EventChannelDevice frontDevice = front.openEventChannels();
    private final EventChannelDevice backDevice = back.openEventChannels();

    @AfterEach
    void close() {
        frontDevice.close();
        backDevice.close();
    }

    /** Binds a channel: back offers a port to front, front binds it; returns {frontPort, backPort}. */
    private int[] connect() {
        int backPort = backDevice.bindUnboundPort(front.domainId());
        int frontPort = frontDevice.bindInterdomain(back.domainId(), backPort);
        return new int[] {frontPort, backPort};
    }

    /** Takes every report of {@code device}. */
    private static int[] take(EventChannelDevice device) {
        int[] ports = new int[64];
        int n = device.takePending(ports);
        return Arrays.copyOf(ports, n);
    }

    /** Takes and acknowledges the pending report Xen raises on a freshly bound interdomain port. */
    private int[] connectQuiet() {
        int[] ports = connect();
        assertArrayEquals(new int[] {ports[0]}, take(frontDevice));
        frontDevice.unmask(ports[0]);
        return ports;
    }

    @Test
    void bindInterdomainMarksTheNewLocalPortPendingAsXenDoes() {
        int[] ports = connect();

        assertArrayEquals(new int[] {ports[0]}, take(frontDevice));
        assertArrayEquals(new int[0], take(backDevice));
    }

    @Test
    void notifySetsPendingOnTheRemotePortAndReportsIt() {
        int[] ports = connectQuiet();

        frontDevice.notify(ports[0]);

        assertArrayEquals(new int[] {ports[1]}, take(backDevice));
        assertArrayEquals(new int[0], take(frontDevice));
    }

    @Test
    void aTakenPortStaysMaskedAndPendingWithoutDeliveryUntilUnmasked() {
        int[] ports = connectQuiet();
        frontDevice.notify(ports[0]);
        take(backDevice);

        frontDevice.notify(ports[0]);

        assertArrayEquals(new int[0], take(backDevice));
        assertTrue(back.isPending(ports[1]));
        assertTrue(back.isMasked(ports[1]));
    }

    @Test
    void unmaskingAPendingPortDeliversItAgain() {
        int[] ports = connectQuiet();
        frontDevice.notify(ports[0]);
        take(backDevice);
        frontDevice.notify(ports[0]);

        backDevice.unmask(ports[1]);

        assertArrayEquals(new int[] {ports[1]}, take(backDevice));
        assertFalse(back.isPending(ports[1]));
    }

    @Test
    void unmaskingAPortWithNothingPendingDeliversNothing() {
        int[] ports = connectQuiet();
        frontDevice.notify(ports[0]);
        take(backDevice);

        backDevice.unmask(ports[1]);

        assertArrayEquals(new int[0], take(backDevice));
        assertFalse(back.isMasked(ports[1]));
    }

    @Test
    void notificationsBeforeTheTakeMergeIntoOneReport() {
        int[] ports = connectQuiet();

        frontDevice.notify(ports[0]);
        frontDevice.notify(ports[0]);
        frontDevice.notify(ports[0]);

        assertArrayEquals(new int[] {ports[1]}, take(backDevice));
    }

    @Test
    void theFdIsReadableExactlyWhileAReportIsWaiting() {
        int[] ports = connectQuiet();
        assertFalse(Fds.readable(backDevice.fd()));

        frontDevice.notify(ports[0]);
        assertTrue(Fds.readable(backDevice.fd()));

        take(backDevice);
        assertFalse(Fds.readable(backDevice.fd()));
    }

    @Test
    void takePendingMovesAtMostTheArrayLengthAndKeepsTheRest() {
        int[] first = connectQuiet();
        int[] second = connectQuiet();
        frontDevice.notify(first[0]);
        frontDevice.notify(second[0]);

        int[] one = new int[1];
        assertEquals(1, backDevice.takePending(one));
        assertEquals(first[1], one[0]);
        assertTrue(Fds.readable(backDevice.fd()));
        assertEquals(1, backDevice.takePending(one));
        assertEquals(second[1], one[0]);
    }

    @Test
    void unbindDropsAQueuedReportAndReturnsTheRemoteEndToUnbound() {
        int[] ports = connectQuiet();
        frontDevice.notify(ports[0]);

        backDevice.unbind(ports[1]);

        assertArrayEquals(new int[0], take(backDevice));
        assertFalse(Fds.readable(backDevice.fd()));
        frontDevice.notify(ports[0]); // unbound now: Xen drops it silently
        int rebound = backDevice.bindInterdomain(front.domainId(), ports[0]);
        assertEquals(ports[1], rebound, "the lowest free port is reused");
    }

    @Test
    void notifyOnAnUnboundPortIsDroppedSilently() {
        int offered = backDevice.bindUnboundPort(front.domainId());

        backDevice.notify(offered);

        assertArrayEquals(new int[0], take(backDevice));
        assertArrayEquals(new int[0], take(frontDevice));
    }

    @Test
    void bindInterdomainRefusesAPortNotOfferedToThisDomain() {
        SimDomain other = xen.createDomain();
        int offeredToOther = backDevice.bindUnboundPort(other.domainId());

        EventChannelException e = assertThrows(EventChannelException.class,
                () -> frontDevice.bindInterdomain(back.domainId(), offeredToOther));
        assertEquals("EINVAL", e.errno());
    }

    @Test
    void bindInterdomainRefusesABoundPort() {
        int[] ports = connectQuiet();

        EventChannelException e = assertThrows(EventChannelException.class,
                () -> frontDevice.bindInterdomain(back.domainId(), ports[1]));
        assertEquals("EINVAL", e.errno());
    }

    @Test
    void bindInterdomainToAMissingDomainFailsWithEsrch() {
        EventChannelException e = assertThrows(EventChannelException.class,
                () -> frontDevice.bindInterdomain(42, 1));
        assertEquals("ESRCH", e.errno());
    }

    @Test
    void aHandleCannotNotifyOrUnbindAnotherHandlesPort() {
        int[] ports = connectQuiet();
        try (EventChannelDevice stranger = front.openEventChannels()) {
            assertEquals("ENOTCONN", assertThrows(EventChannelException.class,
                    () -> stranger.notify(ports[0])).errno());
            assertEquals("ENOTCONN", assertThrows(EventChannelException.class,
                    () -> stranger.unbind(ports[0])).errno());
        }
    }

    @Test
    void aRaisedVirqIsReportedOnItsPort() {
        int port = frontDevice.bindVirq(1);

        front.raiseVirq(1);

        assertArrayEquals(new int[] {port}, take(frontDevice));
    }

    @Test
    void aVirqBindsOncePerDomainAndCannotBeNotified() {
        int port = frontDevice.bindVirq(3);

        assertEquals("EEXIST", assertThrows(EventChannelException.class, () -> frontDevice.bindVirq(3)).errno());
        assertEquals("EINVAL", assertThrows(EventChannelException.class, () -> frontDevice.notify(port)).errno());
        assertEquals("EINVAL", assertThrows(EventChannelException.class,
                () -> frontDevice.bindVirq(SimHypervisor.NR_VIRQS)).errno());
    }

    @Test
    void portsStartAtOneAndTheLowestFreeIsReused() {
        int a = frontDevice.bindUnboundPort(back.domainId());
        int b = frontDevice.bindUnboundPort(back.domainId());
        int c = frontDevice.bindUnboundPort(back.domainId());
        assertArrayEquals(new int[] {1, 2, 3}, new int[] {a, b, c});

        frontDevice.unbind(b);

        assertEquals(b, frontDevice.bindUnboundPort(back.domainId()));
    }

    @Test
    void aDomainRunsOutOfPortsWithEnospc() {
        for (int i = 1; i < PortTable.PORTS; i++) {
            frontDevice.bindUnboundPort(back.domainId());
        }

        assertEquals("ENOSPC", assertThrows(EventChannelException.class,
                () -> frontDevice.bindUnboundPort(back.domainId())).errno());
    }

    @Test
    void aPortCanLoopBackWithinOneDomain() {
        int offered = frontDevice.bindUnboundPort(SimHypervisor.DOMID_SELF);
        int local = frontDevice.bindInterdomain(front.domainId(), offered);
        take(frontDevice);
        frontDevice.unmask(local);

        frontDevice.notify(local);

        assertArrayEquals(new int[] {offered}, take(frontDevice));
    }

    @Test
    void resetUnbindsEveryPortOfTheHandle() {
        connectQuiet();
        frontDevice.bindVirq(2);
        assertEquals(2, front.boundPorts());

        frontDevice.reset();

        assertEquals(0, front.boundPorts());
        assertEquals(1, back.boundPorts(), "the remote end is back to unbound, still bound");
    }

    @Test
    void closeUnbindsEveryPortAndReleasesTheEventfd() {
        long before = Fds.open();
        EventChannelDevice device = front.openEventChannels();
        device.bindUnboundPort(back.domainId());
        assertEquals(before + 1, Fds.open());

        device.close();
        device.close();

        assertEquals(before, Fds.open());
        assertEquals(0, front.boundPorts());
        assertThrows(IllegalStateException.class, () -> device.bindUnboundPort(back.domainId()));
    }

    @Test
    void noEventIsLostBetweenANotifyingThreadAndAnUnmaskingConsumer() throws Exception {
        int[] ports = connectQuiet();
        int rounds = 100_000;
        AtomicLong written = new AtomicLong();
        Thread notifier = new Thread(() -> {
            for (int i = 1; i <= rounds; i++) {
                written.set(i);
                frontDevice.notify(ports[0]);
            }
        });
        notifier.start();
        long seen = 0;
        int[] one = new int[1];
        while (seen < rounds) {
            if (backDevice.takePending(one) == 1) {
                backDevice.unmask(one[0]);
                long now = written.get();
                assertTrue(now >= seen, "values only grow");
                seen = now;
            } else if (!notifier.isAlive() && !Fds.readable(backDevice.fd())) {
                break; // the notifier is done and nothing is reported: the last event was lost
            }
            Thread.onSpinWait();
        }
        notifier.join();

        assertEquals(rounds, seen, "the event after the last write was delivered");
        assertNotEquals(0, seen);
    }

    @Test
    void rebindingRacingANotifierNeverLeavesAPortStuckOrAStaleReport() throws Exception {
        int offered = frontDevice.bindUnboundPort(back.domainId());
        AtomicLong failures = new AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread notifier = new Thread(() -> {
            while (!stop.get()) {
                try {
                    frontDevice.notify(offered); // dropped silently while back's end is unbound
                } catch (RuntimeException e) {
                    failures.incrementAndGet();
                }
            }
        });
        notifier.start();
        try {
            for (int i = 0; i < 2_000; i++) {
                int port = backDevice.bindInterdomain(front.domainId(), offered);
                takeAndUnmaskUntil(port);
                backDevice.unbind(port);
                assertArrayEquals(new int[0], take(backDevice), "no report survives its port's unbind");
                assertFalse(Fds.readable(backDevice.fd()));
            }
        } finally {
            stop.set(true);
            notifier.join();
        }
        int port = backDevice.bindInterdomain(front.domainId(), offered);
        takeAndUnmaskUntil(port);
        take(backDevice);
        backDevice.unmask(port);

        frontDevice.notify(offered);

        assertArrayEquals(new int[] {port}, take(backDevice), "the last binding still hears its peer");
        assertEquals(0, failures.get());
    }

    /**
     * Takes and unmasks reports until {@code port} is among them (Xen marks a new binding pending);
     * fails if it never comes, which is what a port left masked with nothing queued looks like.
     */
    private void takeAndUnmaskUntil(int port) {
        int[] ports = new int[8];
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (true) {
            assertTrue(System.nanoTime() < deadline, "port " + port + " was never reported: stuck masked?");
            int n = backDevice.takePending(ports);
            boolean seen = false;
            for (int i = 0; i < n; i++) {
                backDevice.unmask(ports[i]);
                seen |= ports[i] == port;
            }
            if (seen) {
                return;
            }
        }
    }
}
