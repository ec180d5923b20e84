package dev.weft.xen.sim;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One domain's event channels as the hypervisor keeps them: the 2-level ABI's pending and mask
 * bitmaps (Xen's {@code shared_info.evtchn_pending[]} and {@code evtchn_mask[]}, 64 words of 64
 * bits, 4096 ports) and each port's {@link Binding}.
 *
 * <p>Threading: any thread. Bindings change only under the hypervisor's lock ({@link
 * SimHypervisor#lock}); the bits and the delivery path ({@link #setPending}, {@link #upcall})
 * take no lock, as in Xen, where a notify from one domain's CPU and an unmask on another's race
 * on the same shared-info words.
 *
 * <h2>Implementation notes</h2>
 *
 * <p><b>Delivery.</b> {@link #setPending} is Xen's {@code evtchn_2l_set_pending}: test-and-set
 * the pending bit (a notification on a port already pending is merged into the one outstanding),
 * then, if the port is not masked, raise the upcall. {@link #upcall} plays the receiving guest
 * kernel's evtchn driver: it masks the port, clears its pending bit and queues the port on the
 * owning device's ring, where it stays masked until the consumer unmasks it. Masking is a
 * test-and-set, so of several threads racing to deliver one port exactly one queues it.
 *
 * <p><b>Unmask.</b> {@link #unmask} clears the mask bit, then looks at the pending bit and raises
 * the upcall itself if it is set (Xen's {@code evtchn_unmask}): a notification that arrived while
 * the port was masked is delivered now.
 *
 * <p><b>Memory ordering.</b> Every access to the bitmaps goes through {@link #WORDS} with
 * volatile semantics: {@code getAndBitwiseOr}/{@code getAndBitwiseAnd} are volatile
 * read-modify-writes (Xen's locked {@code test_and_set_bit}/{@code clear_bit}), {@code
 * getVolatile} a volatile read. No weaker mode is used anywhere, on purpose. Two properties rest on it, both from the total order Java gives volatile accesses:
 * <ul>
 *   <li><i>No lost event.</i> A notifier writes pending then reads mask; an unmasker writes mask
 *       then reads pending. This is Dekker's pattern: in any total order at least one of the two
 *       reads sees the other's write, so either the notifier sees the port unmasked and raises
 *       the upcall, or the unmasker sees it pending and raises it (or both, and the mask
 *       test-and-set picks one).
 *   <li><i>Data before event.</i> What a notifier wrote to shared memory before its notify
 *       happens-before the consumer's reading of the port: the notifier's pending RMW is ordered
 *       before the upcall's clearing RMW of the same word, which is before the ring push under
 *       the device lock, which is before the consumer's take under the same lock.
 * </ul>
 * {@link #bindings} holds immutable {@link Binding}s; its get is a volatile read (acquire) and
 * its set a volatile write (release), so a delivering thread that reads a binding sees its fields.
 */
final class PortTable {
    /** Ports in the 2-level ABI on a 64-bit guest: 64 words of 64 bits. */
    static final int PORTS = 4096;

    final int domainId;
    /** Volatile access to a word of {@link #pending} or {@link #mask}. */
    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

    /** Bit {@code p & 63} of word {@code p >>> 6}: port p has an event outstanding. Only via WORDS. */
    private final long[] pending = new long[PORTS / Long.SIZE];
    /** Same layout: port p's delivery is held back. Only via WORDS. */
    private final long[] mask = new long[PORTS / Long.SIZE];
    private final AtomicReferenceArray<Binding> bindings = new AtomicReferenceArray<>(PORTS);

    PortTable(int domainId) {
        this.domainId = domainId;
    }

    // ------------------------------------------------------------------ bindings (under the hypervisor lock)

    /**
     * The lowest free port (Xen's get_free_port; port 0 is reserved and never handed out) with
     * both bits cleared, or -1 if every port is in use. Hypervisor lock held.
     */
    int allocate() {
        for (int port = 1; port < PORTS; port++) {
            if (bindings.get(port) == null) {
                clearPending(port);
                clearMask(port);
                return port;
            }
        }
        return -1;
    }

    /** Publishes {@code binding} for {@code port} (release). Hypervisor lock held. */
    void bind(int port, Binding binding) {
        bindings.set(port, binding);
    }

    /** Frees {@code port}. Hypervisor lock held. */
    void free(int port) {
        bindings.set(port, null);
    }

    /** The port's binding, or null if the port is free or out of range (acquire). Any thread. */
    Binding binding(int port) {
        return port > 0 && port < PORTS ? bindings.get(port) : null;
    }

    // ------------------------------------------------------------------ delivery (any thread, no lock)

    /**
     * Marks {@code port} pending and delivers it unless it already was pending or is masked: what
     * a notify from the remote end, a VIRQ, or a fresh bind_interdomain does.
     */
    void setPending(int port) {
        if (testAndSetPending(port)) {
            return; // merged into the notification already outstanding
        }
        if (isMasked(port)) {
            return; // stays pending; unmask delivers it
        }
        upcall(port);
    }

    /**
     * Clears the mask of {@code port} and delivers it if it is pending (Xen's evtchn_unmask).
     */
    void unmask(int port) {
        clearMask(port);
        if (isPending(port)) {
            upcall(port);
        }
    }

    /**
     * The receiving kernel's handler: mask, acknowledge (clear pending), queue on the owner's
     * ring. If the owner refuses (the port was unbound or rebound under us), the mask is undone
     * so that the port's next owner is not left masked with nothing queued, and a notification
     * that arrived meanwhile is delivered again.
     */
    void upcall(int port) {
        while (true) {
            if (testAndSetMask(port)) {
                return; // masked: another delivery is outstanding, or the consumer has not unmasked
            }
            clearPending(port);
            Binding binding = bindings.get(port);
            if (binding != null && binding.owner().enqueue(port)) {
                return;
            }
            clearMask(port);
            if (!isPending(port)) {
                return;
            }
        }
    }

    // ------------------------------------------------------------------ bits

    boolean isPending(int port) {
        return isSet(pending, port);
    }

    boolean isMasked(int port) {
        return isSet(mask, port);
    }

    private boolean testAndSetPending(int port) {
        return testAndSet(pending, port);
    }

    private void clearPending(int port) {
        clear(pending, port);
    }

    private boolean testAndSetMask(int port) {
        return testAndSet(mask, port);
    }

    private void clearMask(int port) {
        clear(mask, port);
    }

    private static boolean isSet(long[] words, int port) {
        return ((long) WORDS.getVolatile(words, port >>> 6) & bit(port)) != 0;
    }

    private static boolean testAndSet(long[] words, int port) {
        long bit = bit(port);
        return ((long) WORDS.getAndBitwiseOr(words, port >>> 6, bit) & bit) != 0;
    }

    private static void clear(long[] words, int port) {
        long unused = (long) WORDS.getAndBitwiseAnd(words, port >>> 6, ~bit(port));
    }

    private static long bit(int port) {
        return 1L << (port & 63);
    }
}
