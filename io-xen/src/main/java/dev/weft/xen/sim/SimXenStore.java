package dev.weft.xen.sim;

import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import dev.weft.xen.store.Permissions;
import dev.weft.xen.store.StorePath;
import dev.weft.xen.store.XenStoreException;
import dev.weft.xen.store.XsError;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;

/**
 * The model's xenstore daemon: the whole wire protocol of xs_wire.h served over any number of
 * {@link Flow}s, one per connected domain, like xenstored.
 *
 * <p><b>Threading: confined to one loop (the daemon's).</b> Call {@link #serve} on that loop's
 * thread; {@link #connect} may be called from any thread, and hands back a flow for the client's
 * loop.
 *
 * <p>What it models: a tree of nodes with values and permissions (an owner and n/r/w/b access
 * per domain; dom0 privileged; new nodes inherit their parent's permissions and belong to their
 * creator); transactions that read a snapshot and commit only if nothing they read or wrote
 * changed meanwhile (EAGAIN otherwise); watches that fire once when registered and then for
 * every change at or under their path (removing a node also fires the watches below it), plus
 * {@link #fireSpuriously} to test that clients treat events as hints; the special paths
 * {@code @introduceDomain} and {@code @releaseDomain}; the 4096-byte payload limit both ways;
 * XS_ERROR with errno names; the privileged requests (INTRODUCE, RELEASE, IS_DOMAIN_INTRODUCED,
 * RESUME, SET_TARGET, CONTROL "print") for dom0 only; a watch fires only for nodes its domain
 * may read. What it leaves out: quotas, the ring pages of introduced domains (a
 * domain connects through {@link #connect} or {@link #serve} instead), and live update.
 *
 * <p>Transactions are modelled simply: each starts with two copies of the whole tree (the
 * snapshot it compares against and the view it changes), and a commit compares the generation of
 * every node the transaction read or changed. Fine for the thousands of nodes of a test; a real
 * daemon keeps per-node copies instead.
 */
public final class SimXenStore {
    private long lastGeneration;
    private final XenStoreTree tree = new XenStoreTree(() -> ++lastGeneration);
    private final List<XenStoreSession> sessions = new ArrayList<>();
    private final Set<Integer> introduced = new HashSet<>(Set.of(0));
    private final Map<Integer, Integer> targets = new HashMap<>();
    private final List<Resolver<Void>> idleWaiters = new ArrayList<>();

    /** A daemon holding {@code /}, {@code /local} and {@code /local/domain}, owned by dom0. */
    public SimXenStore() {
        Set<String> ignored = new HashSet<>();
        tree.mkdir(new XenStoreTree.Caller(0, -1), "/local/domain", ignored);
    }

    /**
     * Serves requests from domain {@code domid} arriving on {@code flow} until the flow ends or
     * the client breaks framing; the flow is closed then, and the connection's watches and
     * transactions are dropped. Call on the daemon's loop.
     */
    public Promise<Void> serve(Flow flow, int domid) {
        XenStoreSession session = new XenStoreSession(this, flow, domid);
        sessions.add(session);
        return session.serve();
    }

    /**
     * Connects domain {@code domid} through an in-memory pipe: returns the client's end, to be
     * used on {@code clientLoop}, and serves the other end on {@code daemonLoop} (which must be
     * this daemon's loop). Either loop may be the same as the other.
     */
    public Flow connect(Executor daemonLoop, Executor clientLoop, int domid) {
        LoopbackFlow[] ends = LoopbackFlow.pair(clientLoop, daemonLoop);
        daemonLoop.execute(() -> serve(ends[1], domid));
        return ends[0];
    }

    /** How many connections are being served. */
    public int connections() {
        return sessions.size();
    }

    /**
     * How many watches the connections of domain {@code domid} hold now (xenstored counts them
     * against each connection's quota): a client that forgets to unwatch shows here.
     */
    public int watches(int domid) {
        int count = 0;
        for (XenStoreSession session : sessions) {
            if (session.domain() == domid) {
                count += session.watches().size();
            }
        }
        return count;
    }

    /** Fulfilled once no connection is being served (at once if none is). */
    public Promise<Void> idle() {
        if (sessions.isEmpty()) {
            return Promise.unit();
        }
        Resolver<Void> waiter = Promise.pending();
        idleWaiters.add(waiter);
        return waiter.promise();
    }

    /**
     * Fires every watch on {@code path} or above it as if the node had changed, though it did
     * not: xenstored may do this, and clients must cope.
     */
    public void fireSpuriously(String path) {
        fire(path, false);
    }

    // ---------------------------------------------------------------- for sessions

    void disconnected(XenStoreSession session) {
        sessions.remove(session);
        if (sessions.isEmpty()) {
            List<Resolver<Void>> waiting = List.copyOf(idleWaiters);
            idleWaiters.clear();
            waiting.forEach(waiter -> waiter.resolve(null));
        }
    }

    String resolve(XenStoreSession session, String path) {
        return StorePath.resolve(StorePath.home(session.domain()), path);
    }

    /** What a request works on: the tree (or its transaction's view) and who asks. */
    record Access(SimXenStore daemon, XenStoreSession session, XenStoreTree tree, XenStoreTree.Caller caller,
            SimTransaction transaction) {

        /** The absolute form of {@code path}, noted as read if in a transaction. */
        String path(String path) {
            String absolute = daemon.resolve(session, path);
            if (transaction != null) {
                transaction.accessed().add(absolute);
            }
            return absolute;
        }

        /** Applies a change; outside a transaction its watches fire now, inside at commit. */
        byte[] mutate(String path, Mutation mutation) {
            String absolute = path(path);
            Set<String> changed = new TreeSet<>();
            mutation.apply(tree, absolute, changed);
            if (transaction == null) {
                if (!changed.isEmpty()) {
                    daemon.fire(absolute, true);
                }
            } else {
                transaction.changed().addAll(changed);
                if (!changed.isEmpty()) {
                    transaction.events().add(absolute);
                }
            }
            return XenStoreSession.ok();
        }
    }

    /** A change to a tree. */
    @FunctionalInterface
    interface Mutation {
        void apply(XenStoreTree tree, String path, Set<String> changed);
    }

    /** A transaction: the snapshot it started from, its own copy, and what it touched. */
    record SimTransaction(XenStoreTree base, XenStoreTree view, Set<String> accessed, Set<String> changed,
            List<String> events) {}

    Access access(XenStoreSession session, SimTransaction transaction) {
        Integer target = targets.get(session.domain());
        XenStoreTree.Caller caller = new XenStoreTree.Caller(session.domain(), target == null ? -1 : target);
        return new Access(this, session, transaction == null ? tree : transaction.view(), caller, transaction);
    }

    SimTransaction snapshot() {
        return new SimTransaction(tree.copy(), tree.copy(), new TreeSet<>(), new TreeSet<>(), new ArrayList<>());
    }

    /** Applies {@code tx} if nothing it touched changed since it started; EAGAIN otherwise. */
    void commit(SimTransaction tx, List<Runnable> after) {
        Set<String> touched = new TreeSet<>(tx.accessed());
        touched.addAll(tx.changed());
        for (String path : touched) {
            if (tx.base().generationOf(path) != tree.generationOf(path)) {
                throw new XenStoreException(XsError.EAGAIN, "transaction conflict at " + path);
            }
        }
        Set<String> ignored = new HashSet<>();
        for (String path : tx.changed()) {
            tree.copyFrom(tx.view(), path, ignored);
        }
        List<String> events = List.copyOf(tx.events());
        after.add(() -> events.forEach(path -> fire(path, true)));
    }

    /**
     * Sends an event to every watch at or above {@code path}; with {@code below}, also to every
     * watch under it (a removal), naming the watch's own path.
     */
    void fire(String path, boolean below) {
        for (XenStoreSession session : List.copyOf(sessions)) {
            for (XenStoreSession.WatchEntry entry : List.copyOf(session.watches())) {
                boolean special = StorePath.isSpecial(entry.absolute()) || StorePath.isSpecial(path);
                if (special ? entry.absolute().equals(path) : StorePath.isWithin(path, entry.absolute())) {
                    if (special || mayRead(session, path)) {
                        session.sendEvent(session.eventPath(entry, path), entry.token());
                    }
                } else if (below && !special && StorePath.isWithin(entry.absolute(), path)
                        && mayRead(session, entry.absolute())) {
                    session.sendEvent(entry.sent(), entry.token());
                }
            }
        }
    }

    /**
     * Whether {@code session} may hear of a change at {@code path}: it may read the node, or, if
     * the node is gone, its nearest existing ancestor (as xenstored checks before queueing an
     * event, so watches do not leak what a domain may not read).
     */
    private boolean mayRead(XenStoreSession session, String path) {
        XenStoreTree.Caller caller = access(session, null).caller();
        String at = path;
        XenStoreTree.Node node = tree.find(at);
        while (node == null) {
            at = StorePath.parent(at);
            node = tree.find(at);
        }
        return caller.privileged() || caller.accessTo(node).canRead();
    }

    // ---------------------------------------------------------------- domains

    byte[] introduce(int domid, List<Runnable> after) {
        if (!introduced.add(domid)) {
            throw new XenStoreException(XsError.EEXIST, "domain " + domid + " is already introduced");
        }
        after.add(() -> fire(StorePath.INTRODUCE_DOMAIN, false));
        return XenStoreSession.ok();
    }

    byte[] release(int domid, List<Runnable> after) {
        if (domid == 0 || !introduced.remove(domid)) {
            throw new XenStoreException(XsError.ENOENT, "domain " + domid);
        }
        targets.remove(domid);
        after.add(() -> fire(StorePath.RELEASE_DOMAIN, false));
        return XenStoreSession.ok();
    }

    boolean isIntroduced(int domid) {
        return introduced.contains(domid);
    }

    byte[] resume(int domid) {
        if (!introduced.contains(domid)) {
            throw new XenStoreException(XsError.ENOENT, "domain " + domid);
        }
        return XenStoreSession.ok();
    }

    byte[] setTarget(int domid, int target) {
        if (!introduced.contains(domid) || !introduced.contains(target)) {
            throw new XenStoreException(XsError.ENOENT, "domain " + domid + " or " + target);
        }
        targets.put(domid, target);
        return XenStoreSession.ok();
    }

    static Permissions permissions(List<String> entries) {
        try {
            return Permissions.parse(entries);
        } catch (IllegalArgumentException e) {
            throw new XenStoreException(XsError.EINVAL, e.getMessage());
        }
    }
}
