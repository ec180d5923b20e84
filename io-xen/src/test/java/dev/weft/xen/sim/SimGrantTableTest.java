package dev.weft.xen.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.xen.evtchn.EventChannelDevice;
import dev.weft.xen.grant.EndAccess;
import dev.weft.xen.grant.GrantAllocator;
import dev.weft.xen.grant.GrantException;
import dev.weft.xen.grant.GrantMapper;
import dev.weft.xen.grant.GrantRef;
import dev.weft.xen.grant.MappedPages;
import dev.weft.xen.grant.SharedPages;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The model's grant tables: sharing, mapping, ending, unmap notifications, typed refusals. */
class SimGrantTableTest {
    private final SimHypervisor xen = new SimHypervisor();
    private final SimDomain front = xen.createDomain();
    private final SimDomain back = xen.createDomain();
    private final GrantAllocator allocator = front.openGrantAllocator();
    private final GrantMapper mapper = back.openGrantMapper();

    @AfterEach
    void close() {
        allocator.close();
        mapper.close();
    }

    @Test
    void sharedPagesAreZeroedPageAlignedAndNamedByOneRefPerPage() {
        SharedPages pages = allocator.share(back.domainId(), 3, true);

        MemorySegment memory = pages.memory();
        assertEquals(3 * SimHypervisor.PAGE_SIZE, memory.byteSize());
        assertEquals(0, memory.address() % SimHypervisor.PAGE_SIZE);
        assertEquals(-1, memory.mismatch(MemorySegment.ofArray(new byte[3 * SimHypervisor.PAGE_SIZE])));
        assertEquals(3, pages.refs().stream().distinct().count());
        assertEquals(3, front.liveGrants());
        assertEquals(EndAccess.ENDED, pages.end());
    }

    @Test
    void aMappingIsTheSameMemoryBothWays() {
        SharedPages pages = allocator.share(back.domainId(), 2, true);
        try (MappedPages mapped = mapper.map(front.domainId(), pages.refs(), true)) {
            pages.memory().set(ValueLayout.JAVA_LONG, 4104, 0xFEEDL);
            mapped.memory().set(ValueLayout.JAVA_INT, 8, 42);

            assertEquals(0xFEEDL, mapped.memory().get(ValueLayout.JAVA_LONG, 4104));
            assertEquals(42, pages.memory().get(ValueLayout.JAVA_INT, 8));
        }
        assertEquals(EndAccess.ENDED, pages.end());
    }

    @Test
    void aPageWrittenOnOneThreadIsReadOnAnother() throws Exception {
        SharedPages pages = allocator.share(back.domainId(), 1, true);
        pages.memory().set(ValueLayout.JAVA_LONG, 0, 7L);

        // The peer maps, reads and unmaps on its own thread (a mapping is confined to its mapper's thread).
        long read = CompletableFuture.supplyAsync(() -> {
            MappedPages mapped = mapper.map(front.domainId(), pages.refs(), false);
            try {
                return mapped.memory().get(ValueLayout.JAVA_LONG, 0);
            } finally {
                mapped.close();
            }
        }).get();

        assertEquals(7L, read);
        assertEquals(EndAccess.ENDED, pages.end());
    }

    @Test
    void endWhileThePeerMapsAPageIsBusyAndKeepsThePages() {
        SharedPages pages = allocator.share(back.domainId(), 1, true);
        MappedPages mapped = mapper.map(front.domainId(), pages.refs(), true);

        assertEquals(EndAccess.BUSY, pages.end());

        pages.memory().set(ValueLayout.JAVA_INT, 0, 5); // still ours, still valid
        assertEquals(5, mapped.memory().get(ValueLayout.JAVA_INT, 0));
        assertEquals(1, front.liveGrants());
        mapped.close();
        assertEquals(EndAccess.ENDED, pages.end());
        assertEquals(0, front.liveGrants());
    }

    @Test
    void endedPagesAreReleasedAndTheirRefsNoLongerMap() {
        SharedPages pages = allocator.share(back.domainId(), 1, true);

        assertEquals(EndAccess.ENDED, pages.end());
        assertEquals(EndAccess.ENDED, pages.end());

        assertThrows(IllegalStateException.class, () -> pages.memory().get(ValueLayout.JAVA_INT, 0));
        GrantException e = assertThrows(GrantException.class,
                () -> mapper.map(front.domainId(), pages.refs(), false));
        assertEquals(GrantException.Reason.BAD_REF, e.reason());
    }

    @Test
    void pagesSharedAgainAfterAnEndArriveZeroed() {
        SharedPages first = allocator.share(back.domainId(), 2, true);
        first.memory().fill((byte) 0x5a);
        assertEquals(EndAccess.ENDED, first.end());

        SharedPages second = allocator.share(back.domainId(), 2, true);

        assertEquals(-1, second.memory().mismatch(MemorySegment.ofArray(new byte[2 * SimHypervisor.PAGE_SIZE])),
                "no byte of the earlier share reaches the next grantee");
        assertEquals(EndAccess.ENDED, second.end());
    }

    @Test
    void aClosedMappingCannotBeUsed() {
        SharedPages pages = allocator.share(back.domainId(), 1, true);
        MappedPages mapped = mapper.map(front.domainId(), pages.refs(), true);

        mapped.close();
        mapped.close();

        assertThrows(IllegalStateException.class, () -> mapped.memory().get(ValueLayout.JAVA_INT, 0));
        assertEquals(EndAccess.ENDED, pages.end());
    }

    @Test
    void anUnknownRefIsRefused() {
        GrantException e = assertThrows(GrantException.class,
                () -> mapper.map(front.domainId(), List.of(new GrantRef(9999)), false));
        assertEquals(GrantException.Reason.BAD_REF, e.reason());
    }

    @Test
    void aGrantForAnotherDomainIsRefused() {
        SimDomain third = xen.createDomain();
        SharedPages pages = allocator.share(third.domainId(), 1, true);

        GrantException e = assertThrows(GrantException.class,
                () -> mapper.map(front.domainId(), pages.refs(), false));

        assertEquals(GrantException.Reason.NOT_GRANTED_TO_THIS_DOMAIN, e.reason());
        assertEquals(EndAccess.ENDED, pages.end(), "the refused map holds nothing");
    }

    @Test
    void aWritableMapOfAReadOnlyGrantIsRefused() {
        SharedPages pages = allocator.share(back.domainId(), 1, false);

        GrantException e = assertThrows(GrantException.class,
                () -> mapper.map(front.domainId(), pages.refs(), true));

        assertEquals(GrantException.Reason.READ_ONLY_GRANT, e.reason());
        assertEquals(EndAccess.ENDED, pages.end());
    }

    @Test
    void aReadOnlyMappingCannotBeWritten() {
        SharedPages pages = allocator.share(back.domainId(), 1, false);
        try (MappedPages mapped = mapper.map(front.domainId(), pages.refs(), false)) {
            assertTrue(mapped.memory().isReadOnly());
            assertThrows(IllegalArgumentException.class, () -> mapped.memory().set(ValueLayout.JAVA_INT, 0, 1));
        }
        assertEquals(EndAccess.ENDED, pages.end());
    }

    @Test
    void aMissingDomainIsRefused() {
        GrantException e = assertThrows(GrantException.class,
                () -> mapper.map(77, List.of(new GrantRef(8)), false));
        assertEquals(GrantException.Reason.NO_SUCH_DOMAIN, e.reason());
    }

    @Test
    void refsOfOneShareMapOneByOneToTheirOwnPages() {
        SharedPages pages = allocator.share(back.domainId(), 2, true);
        pages.memory().set(ValueLayout.JAVA_INT, SimHypervisor.PAGE_SIZE, 2);
        try (MappedPages second = mapper.map(front.domainId(), List.of(pages.refs().get(1)), true)) {
            assertEquals(2, second.memory().get(ValueLayout.JAVA_INT, 0));
            assertEquals(SimHypervisor.PAGE_SIZE, second.memory().byteSize());
        }
        assertEquals(EndAccess.ENDED, pages.end());
    }

    @Test
    void unmappingClearsTheNotifyByteAndNotifiesTheGranter() {
        try (EventChannelDevice frontEvents = front.openEventChannels();
                EventChannelDevice backEvents = back.openEventChannels()) {
            int frontPort = frontEvents.bindUnboundPort(back.domainId());
            int backPort = backEvents.bindInterdomain(front.domainId(), frontPort);
            SharedPages pages = allocator.share(back.domainId(), 1, true);
            MappedPages mapped = mapper.map(front.domainId(), pages.refs(), true);
            pages.memory().set(ValueLayout.JAVA_BYTE, 12, (byte) 1); // "the backend is connected"
            mapped.setUnmapNotify(12, backPort);

            mapped.close();

            assertEquals(0, pages.memory().get(ValueLayout.JAVA_BYTE, 12));
            assertArrayEquals(new int[] {frontPort}, take(frontEvents));
            assertEquals(EndAccess.ENDED, pages.end(), "the notified granter can end at once");
        }
    }

    @Test
    void endingClearsTheSharersNotifyByteAndNotifiesThePeerEvenWhenBusy() {
        try (EventChannelDevice frontEvents = front.openEventChannels();
                EventChannelDevice backEvents = back.openEventChannels()) {
            int frontPort = frontEvents.bindUnboundPort(back.domainId());
            int backPort = backEvents.bindInterdomain(front.domainId(), frontPort);
            take(backEvents);
            backEvents.unmask(backPort);
            SharedPages pages = allocator.share(back.domainId(), 1, true);
            MappedPages mapped = mapper.map(front.domainId(), pages.refs(), true);
            mapped.memory().set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            pages.setUnmapNotify(0, frontPort);

            assertEquals(EndAccess.BUSY, pages.end());

            assertEquals(0, mapped.memory().get(ValueLayout.JAVA_BYTE, 0));
            assertArrayEquals(new int[] {backPort}, take(backEvents));
            mapped.close();
            assertEquals(EndAccess.ENDED, pages.end());
        }
    }

    @Test
    void aShareOfNoPagesIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> allocator.share(back.domainId(), 0, true));
    }

    @Test
    void aClosedHandleRefusesWork() {
        allocator.close();
        mapper.close();

        assertThrows(IllegalStateException.class, () -> allocator.share(back.domainId(), 1, true));
        assertThrows(IllegalStateException.class, () -> mapper.map(front.domainId(), List.of(new GrantRef(8)), true));
    }

    private static int[] take(EventChannelDevice device) {
        int[] ports = new int[8];
        return Arrays.copyOf(ports, device.takePending(ports));
    }

    @Test
    void refsAreNotReusedWhileLiveAndStartAfterTheReservedEntries() {
        SharedPages a = allocator.share(back.domainId(), 1, true);
        SharedPages b = allocator.share(back.domainId(), 1, true);

        assertTrue(a.refs().get(0).value() >= GrantTable.FIRST_REF);
        assertFalse(a.refs().equals(b.refs()));
        assertEquals(EndAccess.ENDED, a.end());
        assertEquals(EndAccess.ENDED, b.end());
    }
}
