package dev.weft.unix.net;

import java.net.StandardSocketOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * The spare file descriptors of every {@link TcpListener} in the process, shared, because the fd
 * table they are spares of is the process's and not a loop's: when the process runs out of fds, a
 * listener sheds its backlog with whichever spare is held ({@link #shed}), and a spare lost to
 * another thread is paid back by the next connection anyone accepts ({@link #repayWith}).
 *
 * <p><b>Threading: ANY THREAD</b> (each listener calls it from its own loop's thread). Shedding
 * and paying back take a lock, but only while the process is short of fds or of spares; the
 * accept path otherwise reads one volatile count.
 *
 * <p><b>Why paying back.</b> A shed gives a spare fd back to the process and accepts with it. In
 * that moment any thread that opens an fd may get it instead; in a {@link dev.weft.loop.LoopGroup}
 * with a listener per loop, that is usually another loop accepting at the same time. The shed
 * then accepts nothing, the spare cannot be taken again, and without a spare no listener can
 * shed any more: connections queued on it hang while every fd stays in use. So the count of
 * missing spares goes up <em>before</em> a spare is given back, and a listener that accepts a
 * connection while a spare is missing takes the spare first: with an fd free it simply takes
 * it; with none (the connection holds the fd that was the spare) it resets that connection and
 * takes the fd it frees. A client then sees its connection reset, as if shed, and the process
 * keeps one spare per listener. Each such connection pays for one spare: with two missing (two
 * listeners shed at once, each losing its fd), two connections pay. If the fd so freed went to a
 * third thread first, the debt stands: that thread, if it accepted a connection, sees a spare
 * missing and pays for it in turn. Only a spare that cannot be opened at all, though the process
 * has fds to spare (see {@link SpareDescriptor#unobtainable()}), is forgiven: connections must not
 * pay for it forever; the next shed tries it again.
 */
final class FdReserve {

    /** The process's reserve: every listener's spare. */
    static final FdReserve PROCESS = new FdReserve();

    /** Guarded by {@code this}. */
    private final List<SpareDescriptor> spares = new ArrayList<>();
    /**
     * Spares {@linkplain SpareDescriptor#owed() owed} now (given back for a shed, or lost; not
     * ones that could never be taken, which no connection should pay for), read without the
     * lock on every accept. Written under the lock, and raised before a spare's fd is given
     * back, so that a thread whose accept got that fd sees it missing once its accept returned.
     */
    private volatile int missing;

    /** Takes a new spare for a listener, of the kind its engine can open (see {@link SpareDescriptor}). */
    synchronized SpareDescriptor add(boolean nio) {
        SpareDescriptor spare = new SpareDescriptor(nio);
        spares.add(spare);
        recount();
        return spare;
    }

    /** Gives a closing listener's spare back to the process. */
    synchronized void remove(SpareDescriptor spare) {
        spare.close();
        spares.remove(spare);
        recount();
    }

    /** Whether some listener's spare is missing now. */
    boolean isShort() {
        return missing > 0;
    }

    /**
     * With one spare given back, accepts up to {@code limit} connections queued on {@code
     * listening} and resets each at once, then takes every missing spare that it can.
     *
     * @return how many connections were shed (0 if no spare could be had)
     */
    synchronized int shed(Endpoint listening, int limit) {
        SpareDescriptor spare = aHeldSpare();
        if (spare == null) {
            return 0;
        }
        missing++; // before the fd goes: whoever gets it must see a spare missing
        spare.release();
        int shed = 0;
        try {
            for (; shed < limit; shed++) {
                Endpoint accepted = listening.accept();
                if (accepted == null) {
                    break;
                }
                reset(accepted);
            }
        } catch (RuntimeException stillShort) {
            // nothing more can be accepted now (the fd was taken meanwhile, or memory): the backlog keeps the rest
        } finally {
            takeMissing();
        }
        return shed;
    }

    /**
     * Called with each connection accepted: if a spare is missing, takes it, with a free fd if
     * the process has one, else with the fd of {@code accepted}, which is reset to free it.
     *
     * @return whether {@code accepted} was used so (it is closed then; accept another)
     */
    boolean repayWith(Endpoint accepted) {
        if (!isShort()) {
            return false;
        }
        synchronized (this) {
            if (takeMissing()) {
                return false;
            }
            reset(accepted);
            takeMissing();
            forgiveUnobtainable();
            return true;
        }
    }

    /**
     * Stops charging connections for the spares that cannot be opened even with fds free; the
     * ones that failed for want of an fd stay owed (the fd went to another thread, which pays).
     */
    private void forgiveUnobtainable() {
        for (SpareDescriptor spare : spares) {
            if (spare.unobtainable()) {
                spare.forgive();
            }
        }
        recount();
    }

    /** A spare held now, taking missing ones if none is; null if none can be had. */
    private SpareDescriptor aHeldSpare() {
        for (int attempt = 0; attempt < 2; attempt++) {
            for (SpareDescriptor spare : spares) {
                if (spare.held()) {
                    return spare;
                }
            }
            takeMissing();
        }
        return null;
    }

    /** Takes every missing spare it can; whether none is missing now. */
    private boolean takeMissing() {
        for (SpareDescriptor spare : spares) {
            spare.take();
        }
        return recount() == 0;
    }

    private int recount() {
        int owed = 0;
        for (SpareDescriptor spare : spares) {
            if (spare.owed()) {
                owed++;
            }
        }
        missing = owed;
        return owed;
    }

    /** Closes a connection nobody will serve with a reset, so that its client learns at once. */
    private static void reset(Endpoint accepted) {
        try {
            accepted.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (RuntimeException ignored) {
            // a plain close (FIN) does as well
        }
        try {
            accepted.close();
        } catch (RuntimeException ignored) {
            // released whatever close reports
        }
    }
}
