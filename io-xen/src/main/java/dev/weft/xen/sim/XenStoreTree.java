package dev.weft.xen.sim;

import dev.weft.xen.store.Permissions;
import dev.weft.xen.store.StorePath;
import dev.weft.xen.store.XenStoreException;
import dev.weft.xen.store.XsError;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The model daemon's tree of nodes: each has a value, permissions, children, and a generation
 * number that changes whenever its value, its permissions or its set of children changes (what
 * transactions compare to find conflicts). Paths here are absolute and already validated.
 *
 * <p><b>Threading: confined to the daemon's loop.</b>
 *
 * <p>Access follows xenstored: dom0 may do anything; otherwise {@link Permissions#accessOf}
 * decides, with the domain's target (SET_TARGET) counted as well. A new node takes its parent's
 * permissions, owned by its creator when the creator is not dom0. Every mutation adds the paths
 * whose node changed to the {@code changed} set it is given.
 */
final class XenStoreTree {

    /** One node. Mutable, owned by its tree. */
    static final class Node {
        byte[] value;
        Permissions permissions;
        final TreeMap<String, Node> children = new TreeMap<>();
        long generation;

        Node(byte[] value, Permissions permissions, long generation) {
            this.value = value;
            this.permissions = permissions;
            this.generation = generation;
        }

        Node deepCopy() {
            Node copy = new Node(value, permissions, generation);
            for (Map.Entry<String, Node> child : children.entrySet()) {
                copy.children.put(child.getKey(), child.getValue().deepCopy());
            }
            return copy;
        }
    }

    /** Who is asking: a domain and the domain it acts for (SET_TARGET), or -1. */
    record Caller(int domain, int target) {
        boolean privileged() {
            return domain == 0;
        }

        Permissions.Access accessTo(Node node) {
            Permissions.Access own = node.permissions.accessOf(domain);
            if (target < 0) {
                return own;
            }
            Permissions.Access forTarget = node.permissions.accessOf(target);
            boolean read = own.canRead() || forTarget.canRead();
            boolean write = own.canWrite() || forTarget.canWrite();
            return read && write ? Permissions.Access.BOTH
                    : read ? Permissions.Access.READ : write ? Permissions.Access.WRITE : Permissions.Access.NONE;
        }
    }

    private final LongSupplier generations;
    private final Node root;

    XenStoreTree(LongSupplier generations) {
        this.generations = generations;
        this.root = new Node(new byte[0], Permissions.of(0, Permissions.Access.NONE), generations.getAsLong());
    }

    private XenStoreTree(LongSupplier generations, Node root) {
        this.generations = generations;
        this.root = root;
    }

    /** An independent copy (a transaction's snapshot). */
    XenStoreTree copy() {
        return new XenStoreTree(generations, root.deepCopy());
    }

    /** The node at {@code path}, or null. */
    Node find(String path) {
        if (path.equals("/")) {
            return root;
        }
        Node node = root;
        for (String name : path.substring(1).split("/")) {
            node = node.children.get(name);
            if (node == null) {
                return null;
            }
        }
        return node;
    }

    /** The node's generation, or -1 if there is no node at {@code path}. */
    long generationOf(String path) {
        Node node = find(path);
        return node == null ? -1 : node.generation;
    }

    /** The node at {@code path} if {@code caller} may read it. */
    Node readable(Caller caller, String path) {
        Node node = find(path);
        if (node == null) {
            throw new XenStoreException(XsError.ENOENT, path);
        }
        if (!caller.privileged() && !caller.accessTo(node).canRead()) {
            throw new XenStoreException(XsError.EACCES, path);
        }
        return node;
    }

    /** Sets the value of {@code path}, creating it and missing parents (XS_WRITE). */
    void write(Caller caller, String path, byte[] value, Set<String> changed) {
        Node node = find(path);
        if (node == null) {
            node = create(caller, path, changed);
        } else if (!caller.privileged() && !caller.accessTo(node).canWrite()) {
            throw new XenStoreException(XsError.EACCES, path);
        }
        if (!Arrays.equals(node.value, value)) {
            node.value = value;
            bump(node, path, changed);
        }
    }

    /** Creates {@code path} with an empty value if it is missing (XS_MKDIR). */
    void mkdir(Caller caller, String path, Set<String> changed) {
        if (find(path) == null) {
            create(caller, path, changed);
        }
    }

    /** Removes {@code path} and its subtree (XS_RM); a missing node whose parent exists is fine. */
    void rm(Caller caller, String path, Set<String> changed) {
        if (path.equals("/")) {
            throw new XenStoreException(XsError.EINVAL, "the root cannot be removed");
        }
        Node node = find(path);
        String parentPath = StorePath.parent(path);
        Node parent = find(parentPath);
        if (node == null) {
            if (parent == null) {
                throw new XenStoreException(XsError.ENOENT, path);
            }
            return;
        }
        if (!caller.privileged() && !caller.accessTo(node).canWrite()) {
            throw new XenStoreException(XsError.EACCES, path);
        }
        collect(node, path, changed);
        parent.children.remove(path.substring(path.lastIndexOf('/') + 1));
        bump(parent, parentPath, changed);
    }

    /** Sets the permissions of {@code path} (XS_SET_PERMS). */
    void setPermissions(Caller caller, String path, Permissions permissions, Set<String> changed) {
        Node node = find(path);
        if (node == null) {
            throw new XenStoreException(XsError.ENOENT, path);
        }
        if (!caller.privileged()) {
            if (!caller.accessTo(node).canWrite()) {
                throw new XenStoreException(XsError.EACCES, path);
            }
            if (permissions.owner() != node.permissions.owner()) {
                throw new XenStoreException(XsError.EPERM, path + ": only dom0 may change a node's owner");
            }
        }
        node.permissions = permissions;
        bump(node, path, changed);
    }

    /** Makes {@code path} hold exactly what {@code source} holds at {@code path} (a commit). */
    void copyFrom(XenStoreTree source, String path, Set<String> changed) {
        Node wanted = source.find(path);
        Node here = find(path);
        if (wanted == null) {
            if (here != null) {
                rm(new Caller(0, -1), path, changed);
            }
            return;
        }
        if (here == null) {
            Node parent = find(StorePath.parent(path));
            if (parent == null) {
                return; // its parent was removed in the same transaction, later in the order
            }
            here = new Node(wanted.value, wanted.permissions, 0);
            parent.children.put(path.substring(path.lastIndexOf('/') + 1), here);
            bump(parent, StorePath.parent(path), changed);
        }
        here.value = wanted.value;
        here.permissions = wanted.permissions;
        bump(here, path, changed);
    }

    private Node create(Caller caller, String path, Set<String> changed) {
        List<String> missing = new ArrayList<>();
        String existing = path;
        while (find(existing) == null) {
            missing.add(existing);
            existing = StorePath.parent(existing);
        }
        Node parent = find(existing);
        if (!caller.privileged() && !caller.accessTo(parent).canWrite()) {
            throw new XenStoreException(XsError.EACCES, path);
        }
        String parentPath = existing;
        Node node = parent;
        for (int i = missing.size() - 1; i >= 0; i--) {
            String childPath = missing.get(i);
            Permissions inherited = node.permissions;
            if (!caller.privileged()) {
                inherited = new Permissions(caller.domain(), inherited.others(), inherited.grants());
            }
            Node child = new Node(new byte[0], inherited, 0);
            node.children.put(childPath.substring(childPath.lastIndexOf('/') + 1), child);
            bump(node, parentPath, changed);
            bump(child, childPath, changed);
            node = child;
            parentPath = childPath;
        }
        return node;
    }

    private void bump(Node node, String path, Set<String> changed) {
        node.generation = generations.getAsLong();
        changed.add(path);
    }

    private static void collect(Node node, String path, Set<String> into) {
        into.add(path);
        for (Map.Entry<String, Node> child : node.children.entrySet()) {
            collect(child.getValue(), path.equals("/") ? "/" + child.getKey() : path + "/" + child.getKey(), into);
        }
    }
}
