package dev.weft.xen.linux;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * Linux's userspace ABI for the Xen devices, from include/uapi/xen/{evtchn,gntalloc,gntdev}.h:
 * the ioctl request numbers and the layouts of the structs they take, each struct named as in C
 * and each field as its C member, so the golden test can check every offset against the
 * kernel headers. Written from the headers; nothing here is computed at run time from the kernel.
 *
 * <p>The numbers use the generic {@code _IOC} encoding of asm-generic/ioctl.h (x86_64, aarch64,
 * riscv64): direction in bits 30-31 ({@code _IOC_NONE} = 0), size in bits 16-29, type in bits
 * 8-15, number in bits 0-7. Every Xen device ioctl is {@code _IOC_NONE}: the kernel copies the
 * struct in and out itself. Stateless and immutable.
 */
final class DeviceAbi {

    /** {@code _IOC_NONE}: the ioctl's argument direction as the generic encoding spells "none". */
    static final int IOC_NONE = 0;
    /** Bytes in a page, the unit of grants and of the devices' mmap offsets. */
    static final int PAGE_BYTES = 4096;

    // ---------------------------------------------------------------- evtchn.h ('E')

    static final StructLayout EVTCHN_BIND_VIRQ = struct("ioctl_evtchn_bind_virq", JAVA_INT.withName("virq"));
    static final StructLayout EVTCHN_BIND_INTERDOMAIN = struct("ioctl_evtchn_bind_interdomain",
            JAVA_INT.withName("remote_domain"), JAVA_INT.withName("remote_port"));
    static final StructLayout EVTCHN_BIND_UNBOUND_PORT = struct("ioctl_evtchn_bind_unbound_port",
            JAVA_INT.withName("remote_domain"));
    static final StructLayout EVTCHN_UNBIND = struct("ioctl_evtchn_unbind", JAVA_INT.withName("port"));
    static final StructLayout EVTCHN_NOTIFY = struct("ioctl_evtchn_notify", JAVA_INT.withName("port"));

    static final long IOCTL_EVTCHN_BIND_VIRQ = ioc(IOC_NONE, 'E', 0, EVTCHN_BIND_VIRQ.byteSize());
    static final long IOCTL_EVTCHN_BIND_INTERDOMAIN = ioc(IOC_NONE, 'E', 1, EVTCHN_BIND_INTERDOMAIN.byteSize());
    static final long IOCTL_EVTCHN_BIND_UNBOUND_PORT = ioc(IOC_NONE, 'E', 2, EVTCHN_BIND_UNBOUND_PORT.byteSize());
    static final long IOCTL_EVTCHN_UNBIND = ioc(IOC_NONE, 'E', 3, EVTCHN_UNBIND.byteSize());
    static final long IOCTL_EVTCHN_NOTIFY = ioc(IOC_NONE, 'E', 4, EVTCHN_NOTIFY.byteSize());
    /** Clears the report ring and its overflow flag; it does not unbind anything. */
    static final long IOCTL_EVTCHN_RESET = ioc(IOC_NONE, 'E', 5, 0);

    // ---------------------------------------------------------------- gntalloc.h ('G', 5-7)

    /** In: domid, flags, count; out: index (the mmap offset) and count grant references. */
    static final StructLayout GNTALLOC_ALLOC_GREF = struct("ioctl_gntalloc_alloc_gref",
            JAVA_SHORT.withName("domid"), JAVA_SHORT.withName("flags"), JAVA_INT.withName("count"),
            JAVA_LONG.withName("index"), sequenceLayout(1, JAVA_INT).withName("gref_ids"), paddingLayout(4));
    static final StructLayout GNTALLOC_DEALLOC_GREF = struct("ioctl_gntalloc_dealloc_gref",
            JAVA_LONG.withName("index"), JAVA_INT.withName("count"), paddingLayout(4));
    static final StructLayout GNTALLOC_UNMAP_NOTIFY = struct("ioctl_gntalloc_unmap_notify",
            JAVA_LONG.withName("index"), JAVA_INT.withName("action"), JAVA_INT.withName("event_channel_port"));

    static final long IOCTL_GNTALLOC_ALLOC_GREF = ioc(IOC_NONE, 'G', 5, GNTALLOC_ALLOC_GREF.byteSize());
    static final long IOCTL_GNTALLOC_DEALLOC_GREF = ioc(IOC_NONE, 'G', 6, GNTALLOC_DEALLOC_GREF.byteSize());
    static final long IOCTL_GNTALLOC_SET_UNMAP_NOTIFY = ioc(IOC_NONE, 'G', 7, GNTALLOC_UNMAP_NOTIFY.byteSize());
    /** {@code ioctl_gntalloc_alloc_gref.flags}: the peer may write the pages. */
    static final int GNTALLOC_FLAG_WRITABLE = 1;

    // ---------------------------------------------------------------- gntdev.h ('G', 0-3, 7)

    static final StructLayout GNTDEV_GRANT_REF = struct("ioctl_gntdev_grant_ref",
            JAVA_INT.withName("domid"), JAVA_INT.withName("ref"));
    /** In: count and count {domid, ref} pairs; out: index (the mmap offset). */
    static final StructLayout GNTDEV_MAP_GRANT_REF = struct("ioctl_gntdev_map_grant_ref",
            JAVA_INT.withName("count"), JAVA_INT.withName("pad"), JAVA_LONG.withName("index"),
            sequenceLayout(1, GNTDEV_GRANT_REF).withName("refs"));
    static final StructLayout GNTDEV_UNMAP_GRANT_REF = struct("ioctl_gntdev_unmap_grant_ref",
            JAVA_LONG.withName("index"), JAVA_INT.withName("count"), JAVA_INT.withName("pad"));
    static final StructLayout GNTDEV_SET_MAX_GRANTS = struct("ioctl_gntdev_set_max_grants", JAVA_INT.withName("count"));
    static final StructLayout GNTDEV_UNMAP_NOTIFY = struct("ioctl_gntdev_unmap_notify",
            JAVA_LONG.withName("index"), JAVA_INT.withName("action"), JAVA_INT.withName("event_channel_port"));

    static final long IOCTL_GNTDEV_MAP_GRANT_REF = ioc(IOC_NONE, 'G', 0, GNTDEV_MAP_GRANT_REF.byteSize());
    static final long IOCTL_GNTDEV_UNMAP_GRANT_REF = ioc(IOC_NONE, 'G', 1, GNTDEV_UNMAP_GRANT_REF.byteSize());
    /** Gone from Linux since 4.x (the module parameter {@code limit} replaced it): ENOTTY there. */
    static final long IOCTL_GNTDEV_SET_MAX_GRANTS = ioc(IOC_NONE, 'G', 3, GNTDEV_SET_MAX_GRANTS.byteSize());
    static final long IOCTL_GNTDEV_SET_UNMAP_NOTIFY = ioc(IOC_NONE, 'G', 7, GNTDEV_UNMAP_NOTIFY.byteSize());

    /** {@code SET_UNMAP_NOTIFY} action: zero one byte of the pages when they are unmapped. */
    static final int UNMAP_NOTIFY_CLEAR_BYTE = 0x1;
    /** {@code SET_UNMAP_NOTIFY} action: notify an event channel when they are unmapped. */
    static final int UNMAP_NOTIFY_SEND_EVENT = 0x2;

    // Offsets the devices use, read off the layouts so that the code and the golden test agree.
    static final long ALLOC_DOMID = offset(GNTALLOC_ALLOC_GREF, "domid");
    static final long ALLOC_FLAGS = offset(GNTALLOC_ALLOC_GREF, "flags");
    static final long ALLOC_COUNT = offset(GNTALLOC_ALLOC_GREF, "count");
    static final long ALLOC_INDEX = offset(GNTALLOC_ALLOC_GREF, "index");
    static final long ALLOC_GREF_IDS = offset(GNTALLOC_ALLOC_GREF, "gref_ids");
    static final long MAP_COUNT = offset(GNTDEV_MAP_GRANT_REF, "count");
    static final long MAP_INDEX = offset(GNTDEV_MAP_GRANT_REF, "index");
    static final long MAP_REFS = offset(GNTDEV_MAP_GRANT_REF, "refs");
    static final long GRANT_REF_DOMID = offset(GNTDEV_GRANT_REF, "domid");
    static final long GRANT_REF_REF = offset(GNTDEV_GRANT_REF, "ref");

    private DeviceAbi() {}

    /** asm-generic/ioctl.h's {@code _IOC(dir, type, nr, size)}. */
    static long ioc(int direction, char type, int number, long size) {
        if (size < 0 || size >= 1 << 14 || number < 0 || number > 0xff || type > 0xff) {
            throw new IllegalArgumentException("does not fit _IOC: type " + type + ", nr " + number + ", size " + size);
        }
        return ((long) direction << 30) | (size << 16) | ((long) type << 8) | number;
    }

    /**
     * The bytes a variable-length request needs: its fixed head plus {@code count} array
     * entries, and never less than the C struct (whose one-entry array the kernel copies in whole).
     */
    static long variableSize(StructLayout struct, long arrayOffset, long entryBytes, int count) {
        return Math.max(struct.byteSize(), arrayOffset + entryBytes * count);
    }

    private static StructLayout struct(String cName, MemoryLayout... members) {
        return structLayout(members).withName(cName);
    }

    private static long offset(StructLayout struct, String member) {
        return struct.byteOffset(MemoryLayout.PathElement.groupElement(member));
    }
}
