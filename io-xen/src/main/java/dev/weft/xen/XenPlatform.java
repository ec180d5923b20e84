package dev.weft.xen;

import dev.weft.xen.evtchn.EventChannelDevice;
import dev.weft.xen.grant.GrantAllocator;
import dev.weft.xen.grant.GrantMapper;

/**
 * One domain's view of the hypervisor: the devices every Xen driver stands on. Linux's
 * {@code /dev/xen/*} devices implement it in a real domain, the software model in tests; drivers
 * above this seam never know which.
 *
 * <p>Each accessor opens a new device handle owned by the caller, who closes it. Handles are
 * confined to the thread of the loop that uses them, like every other Weft device.
 */
public interface XenPlatform {

    /** This domain's id (0 for dom0). */
    int domainId();

    /** Opens an event-channel device: binds ports, notifies peers, reports pending ports. */
    EventChannelDevice openEventChannels();

    /** Opens a grant allocator: shares this domain's pages with another domain. */
    GrantAllocator openGrantAllocator();

    /** Opens a grant mapper: maps pages another domain granted to this one. */
    GrantMapper openGrantMapper();
}
