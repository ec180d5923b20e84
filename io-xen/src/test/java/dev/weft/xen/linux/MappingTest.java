package dev.weft.xen.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a device mapping checks before the kernel sees a request, and what releasing it does,
 * with /dev/zero standing in for gntalloc and gntdev (a shared mapping of a character device, as
 * theirs are): none of these reach an ioctl.
 */
class MappingTest {

    private DeviceFile device;

    @BeforeEach
    void openDevice() {
        device = DeviceFile.open(Path.of("/dev/zero"), false);
    }

    @AfterEach
    void closeDevice() {
        device.close();
    }

    private Mapping map(int pages, boolean writable) {
        long address = device.mmap((long) pages * DeviceAbi.PAGE_BYTES, writable, 0, "test");
        return new Mapping(device, 0, pages, address, writable);
    }

    @Test
    void theMemoryIsThePagesAndIsUsableUntilReleased() {
        Mapping mapping = map(2, true);

        mapping.memory.set(ValueLayout.JAVA_LONG, 4096, 7L);
        long read = mapping.memory.get(ValueLayout.JAVA_LONG, 4096);
        boolean first = mapping.release();
        boolean second = mapping.release();

        assertEquals(2 * 4096, mapping.memory.byteSize());
        assertEquals(7L, read);
        assertTrue(first, "the first release unmaps, and the device is open: the release ioctl follows");
        assertFalse(second, "releasing twice does nothing");
        assertThrows(IllegalStateException.class, () -> mapping.memory.get(ValueLayout.JAVA_BYTE, 0),
                "released memory refuses access instead of faulting");
    }

    @Test
    void aReadOnlyMappingIsAReadOnlySegment() {
        Mapping mapping = map(1, false);

        assertTrue(mapping.memory.isReadOnly());
        assertThrows(IllegalArgumentException.class, () -> mapping.memory.set(ValueLayout.JAVA_BYTE, 0, (byte) 1),
                "a write to a read-only segment is refused (not a SIGSEGV)");
        mapping.release();
    }

    @Test
    void aNotifyByteOutsideThePagesIsRefused() {
        Mapping mapping = map(1, true);

        assertThrows(IllegalArgumentException.class, () -> mapping.setUnmapNotify("TEST", 0, 4096, 3));
        mapping.release();
    }

    @Test
    void aReadOnlyMappingCannotHaveANotifyByte() {
        Mapping mapping = map(1, false);

        assertThrows(IllegalArgumentException.class, () -> mapping.setUnmapNotify("TEST", 0, 0, 3));
        mapping.release();
    }

    @Test
    void aReleasedMappingTakesNoNotification() {
        Mapping mapping = map(1, true);
        mapping.release();

        assertThrows(IllegalStateException.class, () -> mapping.setUnmapNotify("TEST", 0, 0, 3));
    }

    @Test
    void afterTheDeviceClosesReleaseOnlyUnmaps() {
        Mapping mapping = map(1, true);
        device.close();

        assertFalse(mapping.release(), "no release ioctl on a closed device");
        assertThrows(IllegalStateException.class, () -> mapping.memory.get(ValueLayout.JAVA_BYTE, 0));
    }
}
