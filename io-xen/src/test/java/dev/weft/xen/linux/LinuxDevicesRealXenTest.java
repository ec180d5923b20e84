package dev.weft.xen.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.unix.Errno;
import dev.weft.unix.ErrnoException;
import dev.weft.unix.libc.Libc;
import dev.weft.xen.evtchn.EventChannelDevice;
import dev.weft.xen.grant.EndAccess;
import dev.weft.xen.grant.GrantException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Linux devices on a real Xen hypervisor, in one domain talking to itself: an interdomain
 * event channel from this domain to itself, and a page granted with gntalloc and mapped back with
 * gntdev. Needs /dev/xen/* and root: tagged real-xen, run by {@code ./weft test --xen} in dom0.
 * Each test closes everything it opened, and the fd count is checked after each.
 */
@Tag("real-xen")
class LinuxDevicesRealXenTest {

    /** How long a report may take to arrive; under QEMU's emulation a round trip is about 1 ms. */
    private static final int PATIENCE_MILLIS = 10_000;

    private LinuxXenPlatform platform;
    private long fdsBefore;

    @BeforeEach
    void openPlatform() throws IOException {
        fdsBefore = openFds();
        platform = LinuxXenPlatform.open();
    }

    @AfterEach
    void noFdIsLeft() throws IOException {
        assertEquals(fdsBefore, openFds(), "every device fd the test opened is closed again");
    }

    @Test
    void dom0KnowsItsDomainIdFromItsCapabilitiesAndFromXenstore() {
        assertEquals(0, platform.domainId());
        assertEquals(0, XenbusDomainId.read(platform.devices().resolve("xenbus")));
    }

    @Test
    void xenMarksAFreshlyBoundInterdomainPortPendingOnce() {
        try (LinuxEventChannels channels = platform.openEventChannels()) {
            int a = channels.bindUnboundPort(platform.domainId());
            int b = channels.bindInterdomain(platform.domainId(), a);

            List<Integer> reported = awaitReport(channels, b);

            assertEquals(List.of(b), reported, "Xen notifies the new end in case the unbound end missed events");
        }
    }

    @Test
    void aNotifyOnOneEndOfAChannelIsReportedOnTheOther() {
        try (LinuxEventChannels channels = platform.openEventChannels()) {
            int[] channel = selfChannel(channels);
            int a = channel[0];
            int b = channel[1];

            channels.notify(b);
            List<Integer> reported = awaitReport(channels, a);

            assertNotEquals(a, b);
            assertEquals(List.of(a), reported);
        }
    }

    @Test
    void aReportedPortIsNotReportedAgainUntilUnmaskedAndAnEventWhileMaskedIsNotLost() {
        try (LinuxEventChannels channels = platform.openEventChannels()) {
            int[] channel = selfChannel(channels);
            int a = channel[0];
            int b = channel[1];
            int[] canaryChannel = selfChannel(channels);
            int canary = canaryChannel[0];
            int canaryPeer = canaryChannel[1];
            channels.notify(b);
            awaitReport(channels, a); // a is masked from here on

            channels.notify(b); // while masked: kept pending by Xen, not reported
            channels.notify(canaryPeer); // issued after, so its report comes after any report of a
            List<Integer> whileMasked = awaitReport(channels, canary);
            channels.unmask(a);
            List<Integer> afterUnmask = awaitReport(channels, a);

            assertEquals(List.of(canary), whileMasked, "a masked port is not reported");
            assertEquals(List.of(a), afterUnmask, "the event that came while masked is reported after the unmask");
        }
    }

    @Test
    void nothingIsPendingOnAFreshHandle() {
        try (LinuxEventChannels channels = platform.openEventChannels()) {
            channels.bindUnboundPort(platform.domainId());

            assertEquals(0, channels.takePending(new int[8]));
        }
    }

    @Test
    void anUnboundPortCanNoLongerBeNotifiedAndResetUnbindsEveryPort() {
        try (LinuxEventChannels channels = platform.openEventChannels()) {
            int[] channel = selfChannel(channels);
            int a = channel[0];
            int b = channel[1];
            int c = channels.bindUnboundPort(platform.domainId());

            channels.unbind(b);
            ErrnoException notBound = assertThrows(ErrnoException.class, () -> channels.notify(b));
            channels.reset();

            assertEquals(Errno.ENOTCONN, notBound.errno());
            assertTrue(notBound.getMessage().contains("IOCTL_EVTCHN_NOTIFY") && notBound.getMessage().contains("port " + b),
                    notBound.getMessage());
            assertEquals(List.of(), List.copyOf(channels.boundPorts()));
            assertThrows(ErrnoException.class, () -> channels.notify(c));
        }
    }

    @Test
    void aPageSharedWithGntallocIsTheSamePageMappedWithGntdev() {
        try (LinuxGrantAllocator allocator = platform.openGrantAllocator();
             LinuxGrantMapper mapper = platform.openGrantMapper()) {
            LinuxSharedPages shared = allocator.share(platform.domainId(), 2, true);
            LinuxMappedPages mapped = mapper.map(platform.domainId(), shared.refs(), true);

            shared.memory().set(ValueLayout.JAVA_LONG, 4096 + 8, 0x5745_4654_0001L); // second page
            long seenByMapper = mapped.memory().get(ValueLayout.JAVA_LONG, 4096 + 8);
            mapped.memory().set(ValueLayout.JAVA_LONG, 16, 0x5745_4654_0002L);
            long seenBySharer = shared.memory().get(ValueLayout.JAVA_LONG, 16);
            mapped.close();
            EndAccess ended = shared.end();

            assertEquals(0x5745_4654_0001L, seenByMapper);
            assertEquals(0x5745_4654_0002L, seenBySharer);
            assertEquals(EndAccess.ENDED, ended);
            assertThrows(IllegalStateException.class, () -> mapped.memory().get(ValueLayout.JAVA_BYTE, 0),
                    "a closed mapping refuses access instead of faulting");
        }
    }

    /**
     * gntalloc's {@code limit} (1024 grants by default, for all its users together) is the small
     * grant table a guest can exhaust cheaply: a share past it fails with ENOSPC, which the
     * allocator reports as TABLE_FULL; once the grants holding it are ended, sharing works again.
     */
    @Test
    void sharingPastGntallocsLimitFailsWithTableFullAndEndingGrantsMakesRoomAgain() throws IOException {
        Path limitFile = Path.of("/sys/module/xen_gntalloc/parameters/limit");
        int limit = Files.isReadable(limitFile) ? Integer.parseInt(Files.readString(limitFile).trim()) : 1024;
        try (LinuxGrantAllocator allocator = platform.openGrantAllocator()) {
            GrantException tooMany = assertThrows(GrantException.class,
                    () -> allocator.share(platform.domainId(), limit + 1, false));
            assertEquals(GrantException.Reason.TABLE_FULL, tooMany.reason());
            assertEquals(Errno.ENOSPC, ((ErrnoException) tooMany.getCause()).errno());

            List<LinuxSharedPages> held = new ArrayList<>();
            GrantException full = null;
            for (int chunk = 0; chunk <= limit / 128 && full == null; chunk++) { // others may hold some too
                try {
                    held.add(allocator.share(platform.domainId(), 128, false));
                } catch (GrantException e) {
                    full = e;
                }
            }
            assertTrue(full != null, "the limit of " + limit + " was reached by " + held.size() + " shares of 128");
            assertEquals(GrantException.Reason.TABLE_FULL, full.reason());
            for (LinuxSharedPages shared : held) {
                assertEquals(EndAccess.ENDED, shared.end());
            }
            assertEquals(EndAccess.ENDED, allocator.share(platform.domainId(), 128, false).end(), "room again");
        }
    }

    @Test
    void sharedPagesArriveZeroed() {
        try (LinuxGrantAllocator allocator = platform.openGrantAllocator()) {
            LinuxSharedPages shared = allocator.share(platform.domainId(), 3, true);

            byte[] contents = shared.memory().toArray(ValueLayout.JAVA_BYTE);
            shared.end();

            assertEquals(3 * 4096, contents.length);
            assertArrayEquals(new byte[3 * 4096], contents);
        }
    }

    @Test
    void aReadOnlyGrantIsMappedAsAReadOnlySegment() {
        try (LinuxGrantAllocator allocator = platform.openGrantAllocator();
             LinuxGrantMapper mapper = platform.openGrantMapper()) {
            LinuxSharedPages shared = allocator.share(platform.domainId(), 1, false);
            shared.memory().set(ValueLayout.JAVA_INT, 0, 42);
            LinuxMappedPages mapped = mapper.map(platform.domainId(), shared.refs(), false);

            int seen = mapped.memory().get(ValueLayout.JAVA_INT, 0);
            boolean readOnly = mapped.memory().isReadOnly();
            mapped.close();
            shared.end();

            assertEquals(42, seen);
            assertTrue(readOnly);
        }
    }

    @Test
    void aGrantRefThatWasNeverGrantedFailsToMapWithATypedError() {
        try (LinuxGrantAllocator allocator = platform.openGrantAllocator();
             LinuxGrantMapper mapper = platform.openGrantMapper()) {
            LinuxSharedPages shared = allocator.share(platform.domainId(), 1, true);
            List<dev.weft.xen.grant.GrantRef> bogus = List.of(new dev.weft.xen.grant.GrantRef(shared.refs().get(0).value() + 1000));

            ErrnoException failure = assertThrows(ErrnoException.class, () -> mapper.map(platform.domainId(), bogus, true));
            shared.end();

            assertTrue(failure.getMessage().contains("domain " + platform.domainId()), failure.getMessage());
        }
    }

    @Test
    void setMaxGrantsIsGoneFromCurrentKernelsAndSaysSo() {
        try (LinuxGrantMapper mapper = platform.openGrantMapper()) {
            assertFalse(mapper.setMaxGrants(16), "Linux 4.x and later answer SET_MAX_GRANTS with ENOTTY");
        }
    }

    @Test
    void closingAMappingClearsTheNotifyByteAndNotifiesThePort() {
        try (OwnPage page = new OwnPage()) {
            page.shared.memory().set(ValueLayout.JAVA_BYTE, 100, (byte) 1);
            page.mapped.setUnmapNotify(100, page.channel[1]);

            page.mapped.close();
            List<Integer> reported = awaitReport(page.channels, page.channel[0]);
            byte flag = page.shared.memory().get(ValueLayout.JAVA_BYTE, 100);

            assertEquals(List.of(page.channel[0]), reported);
            assertEquals(0, flag, "the kernel cleared the byte when the mapping went");
        }
    }

    @Test
    void endingSharedPagesClearsTheNotifyByteThePeerStillMapsAndNotifiesThePort() {
        try (OwnPage page = new OwnPage()) {
            page.shared.memory().set(ValueLayout.JAVA_BYTE, 7, (byte) 1);
            page.shared.setUnmapNotify(7, page.channel[1]);

            EndAccess ended = page.shared.end(); // the peer (gntdev, here) still maps the page
            List<Integer> reported = awaitReport(page.channels, page.channel[0]);
            byte flag = page.mapped.memory().get(ValueLayout.JAVA_BYTE, 7);

            assertEquals(EndAccess.ENDED, ended);
            assertEquals(List.of(page.channel[0]), reported);
            assertEquals(0, flag, "the peer sees the byte cleared: the granting side is gone");
        }
    }

    /**
     * One page of this domain shared with gntalloc and mapped back with gntdev, and a quiet
     * channel from this domain to itself; closing unmaps, ends and closes everything (each step
     * idempotent, so a test may have done some of it already).
     */
    private final class OwnPage implements AutoCloseable {
        final LinuxEventChannels channels = platform.openEventChannels();
        final LinuxGrantAllocator allocator = platform.openGrantAllocator();
        final LinuxGrantMapper mapper = platform.openGrantMapper();
        final int[] channel = selfChannel(channels);
        final LinuxSharedPages shared = allocator.share(platform.domainId(), 1, true);
        final LinuxMappedPages mapped = mapper.map(platform.domainId(), shared.refs(), true);

        @Override
        public void close() {
            mapped.close();
            shared.end();
            mapper.close();
            allocator.close();
            channels.close();
        }
    }

    /**
     * Binds a channel from this domain to itself: {unbound end, interdomain end}. Xen marks a
     * freshly bound interdomain port pending (the unbound end may have missed events), so that
     * first report is awaited and the port unmasked here, leaving both ends quiet.
     */
    private int[] selfChannel(LinuxEventChannels channels) {
        int unbound = channels.bindUnboundPort(platform.domainId());
        int interdomain = channels.bindInterdomain(platform.domainId(), unbound);
        assertEquals(List.of(interdomain), awaitReport(channels, interdomain));
        channels.unmask(interdomain);
        return new int[] {unbound, interdomain};
    }

    /**
     * Waits (poll on the device fd, bounded) until {@code port} is reported; returns every port
     * reported meanwhile, in order. Fails if it is not reported in time.
     */
    static List<Integer> awaitReport(EventChannelDevice channels, int port) {
        List<Integer> reported = new ArrayList<>();
        int[] ports = new int[16];
        long deadline = System.nanoTime() + PATIENCE_MILLIS * 1_000_000L;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pollfd = arena.allocate(Libc.POLLFD_BYTES, 8);
            while (!reported.contains(port)) {
                int left = (int) Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
                pollfd.set(ValueLayout.JAVA_INT, 0, channels.fd());
                pollfd.set(ValueLayout.JAVA_SHORT, 4, Libc.POLLIN);
                int ready = Libc.poll(pollfd, 1, left);
                if (ready == 0 && left == 0) {
                    throw new AssertionError("port " + port + " was not reported within " + PATIENCE_MILLIS
                            + " ms; reported meanwhile: " + reported);
                }
                int n = channels.takePending(ports);
                for (int i = 0; i < n; i++) {
                    reported.add(ports[i]);
                }
            }
        }
        return reported;
    }

    static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
