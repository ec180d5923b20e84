package dev.weft.xen.sim;

import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A software model of the Xen hypervisor for tests and benchmarks: domains, each a {@link
 * dev.weft.xen.XenPlatform} whose event channels and grant tables behave as Xen's do, inside one
 * JVM. A frontend and a backend run in two domains of one model, each on its own loop thread,
 * sharing only granted memory and event channels, so their memory ordering is exercised for real.
 *
 * <p>How far the model goes, and what it leaves out, is written in {@code docs/xen.md}.
 *
 * <p><b>Threading: thread-safe.</b> Domains may be created and used from any thread; each device
 * handle a domain opens is confined to the loop that uses it, as on Linux.
 */
public final class SimHypervisor {

    /** Xen's DOMID_SELF: in a bind or share, "the calling domain". */
    public static final int DOMID_SELF = 0x7FF0;
    /** Bytes in a page: the unit of granting and mapping. */
    public static final int PAGE_SIZE = 4096;
    /** Xen's NR_VIRQS: virtual IRQs are numbered 0 to 23. */
    public static final int NR_VIRQS = 24;

    /**
     * Serialises every change to event-channel bindings and grant tables across all domains (Xen
     * takes the two domains' event locks in order; one lock is simpler and these are not hot
     * paths). Delivery and unmasking never take it.
     */
    final Object lock = new Object();
    /** Domain {@code i} at index {@code i}; copy-on-write, so lookups from any thread take no lock. */
    private final CopyOnWriteArrayList<SimDomain> domains = new CopyOnWriteArrayList<>();

    /** Creates a model with no domains; the first one created is domain 0. */
    public SimHypervisor() {}

    /** Creates a domain with the next free id (0 for the first, dom0). Any thread. */
    public SimDomain createDomain() {
        synchronized (lock) {
            SimDomain domain = new SimDomain(this, domains.size());
            domains.add(domain);
            return domain;
        }
    }

    /**
     * The domain with id {@code domainId}. Any thread.
     *
     * @throws IllegalArgumentException if no such domain was created
     */
    public SimDomain domain(int domainId) {
        SimDomain domain = find(domainId);
        if (domain == null) {
            throw new IllegalArgumentException("no domain " + domainId + " in this model (it has "
                    + domains.size() + ")");
        }
        return domain;
    }

    /** The domain with id {@code domainId}, or null. Any thread. */
    SimDomain find(int domainId) {
        return domainId >= 0 && domainId < domains.size() ? domains.get(domainId) : null;
    }

    @Override
    public String toString() {
        return "SimHypervisor[" + domains.size() + " domains]";
    }
}
