package dev.weft.xen.linux;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.weft.unix.ErrnoException;
import dev.weft.unix.libc.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Reads this domain's id from xenstore ({@code XS_READ "domid"}) with one blocking request over
 * {@code /dev/xen/xenbus}: done once, when {@link LinuxXenPlatform} opens, before any loop runs.
 * The whole of xenstore belongs to {@code dev.weft.xen.store}; this is the one message needed to
 * start, written out by hand from xs_wire.h. Stateless.
 */
final class XenbusDomainId {

    private static final int HEADER_BYTES = 16; // struct xsd_sockmsg: type, req_id, tx_id, len (u32 each)
    private static final int XS_READ = 2;
    private static final int XS_ERROR = 16;
    private static final int MAX_REPLY = 4096; // XENSTORE_PAYLOAD_MAX

    private XenbusDomainId() {}

    /**
     * The value of xenstore's {@code domid} key.
     *
     * @throws NotInXenDomainException if {@code xenbus} is missing
     * @throws IllegalStateException if xenstore answers with an error or something not a number
     */
    static int read(Path xenbus) {
        try (DeviceFile device = DeviceFile.open(xenbus, false); Arena arena = Arena.ofConfined()) {
            byte[] path = "domid\0".getBytes(StandardCharsets.US_ASCII);
            MemorySegment request = arena.allocate(HEADER_BYTES + path.length);
            request.set(JAVA_INT, 0, XS_READ);
            request.set(JAVA_INT, 12, path.length);
            MemorySegment.copy(path, 0, request, JAVA_BYTE, HEADER_BYTES, path.length);
            writeFully(device, request);
            MemorySegment header = readFully(device, arena.allocate(HEADER_BYTES));
            int length = header.get(JAVA_INT, 12);
            if (length < 0 || length > MAX_REPLY) {
                throw new IllegalStateException(xenbus + ": xenstore reply of " + length + " bytes to XS_READ domid");
            }
            String value = new String(readFully(device, arena.allocate(Math.max(length, 1))).asSlice(0, length)
                    .toArray(JAVA_BYTE), StandardCharsets.US_ASCII).replace("\0", "");
            if (header.get(JAVA_INT, 0) == XS_ERROR) {
                throw new IllegalStateException(xenbus + ": xenstore refused XS_READ domid: " + value);
            }
            return parse(xenbus, value);
        }
    }

    private static int parse(Path xenbus, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException(xenbus + ": xenstore's domid is not a number: '" + value + "'", e);
        }
    }

    private static void writeFully(DeviceFile device, MemorySegment bytes) {
        long done = 0;
        while (done < bytes.byteSize()) {
            long r = Libc.write(device.fd, bytes.asSlice(done), bytes.byteSize() - done);
            if (r < 0) {
                throw ErrnoException.of("write", device.path + " (XS_READ domid)", (int) -r);
            }
            done += r;
        }
    }

    private static MemorySegment readFully(DeviceFile device, MemorySegment buffer) {
        long done = 0;
        while (done < buffer.byteSize()) {
            long r = Libc.read(device.fd, buffer.asSlice(done), buffer.byteSize() - done);
            if (r <= 0) {
                throw r == 0 ? new IllegalStateException(device.path + ": end of stream inside a xenstore reply")
                        : ErrnoException.of("read", device.path + " (reply to XS_READ domid)", (int) -r);
            }
            done += r;
        }
        return buffer;
    }
}
