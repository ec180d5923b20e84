package dev.weft.xen.store;

import dev.weft.promise.Promise;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The node operations of xenstore, seen either outside any transaction ({@link XenStore}) or
 * inside one ({@link Transaction}): the same requests, differing only in the header's tx_id.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b>, the loop of the client's flow.
 *
 * <p>Paths may be absolute or relative; a relative path is resolved against the client's home
 * path when it has one, else sent as it is for the daemon to resolve against the connection's
 * domain (as xenstored does). An invalid path, or a request whose payload would exceed 4096
 * bytes, is rejected with {@link XenStoreException} ({@code EINVAL}, {@code E2BIG}) without being
 * sent. A daemon's error reply rejects with {@link XenStoreException} carrying its errno name;
 * once the connection failed, every request rejects with {@link XenStore#failure()}: a {@link
 * XenStoreProtocolException} if the daemon broke the protocol, an EOFException if it hung up, a
 * ClosedChannelException after {@link XenStore#close()}, or the transport's own error.
 */
public abstract sealed class StoreView permits XenStore, Transaction {

    StoreView() {}

    /** The client requests go through. */
    abstract XenStore client();

    /** The tx_id these requests carry (0 outside a transaction). */
    abstract int transactionId();

    /** Sends a request in this view; fulfilled with the reply (never an XS_ERROR one). */
    abstract Promise<Message> call(MessageType type, byte[] payload, String context);

    /** Reads a node's value (XS_READ). Rejected with ENOENT if there is no such node. */
    public Promise<String> read(String path) {
        return withPath(path, absolute -> call(MessageType.READ, Message.strings(absolute), "READ " + absolute)
                .map(Message::text));
    }

    /**
     * Sets a node's value (XS_WRITE), creating it and any missing parents. The value goes
     * without a terminating NUL, as xenstored expects.
     */
    public Promise<Void> write(String path, String value) {
        return withPath(path, absolute -> {
            byte[] name = absolute.getBytes(StandardCharsets.UTF_8);
            byte[] data = value.getBytes(StandardCharsets.UTF_8);
            byte[] payload = new byte[name.length + 1 + data.length];
            System.arraycopy(name, 0, payload, 0, name.length);
            System.arraycopy(data, 0, payload, name.length + 1, data.length);
            return ok(MessageType.WRITE, payload, "WRITE " + absolute);
        });
    }

    /** Creates a node with an empty value if it does not exist (XS_MKDIR). */
    public Promise<Void> mkdir(String path) {
        return withPath(path, absolute -> ok(MessageType.MKDIR, Message.strings(absolute), "MKDIR " + absolute));
    }

    /** Removes a node and all its children (XS_RM). */
    public Promise<Void> rm(String path) {
        return withPath(path, absolute -> ok(MessageType.RM, Message.strings(absolute), "RM " + absolute));
    }

    /**
     * The names of a node's children (XS_DIRECTORY). A list too long for one reply (the daemon
     * answers E2BIG) is read in parts with XS_DIRECTORY_PART, starting again if the node changes
     * meanwhile.
     */
    public Promise<List<String>> directory(String path) {
        return withPath(path, absolute -> call(MessageType.DIRECTORY, Message.strings(absolute), "DIRECTORY " + absolute)
                .map(reply -> Message.split(reply.payload()))
                .recover(failure -> failure instanceof XenStoreException e && e.error() == XsError.E2BIG
                        ? directoryInParts(absolute, 0, -1, new ArrayList<>())
                        : Promise.rejected(failure)));
    }

    /**
     * One part of a node's children list (XS_DIRECTORY_PART), starting {@code offset} bytes into
     * the list (each name counts its length plus one).
     */
    public Promise<DirectoryPart> directoryPart(String path, long offset) {
        return withPath(path, absolute -> {
            String context = "DIRECTORY_PART " + absolute + " @" + offset;
            return call(MessageType.DIRECTORY_PART, Message.strings(absolute, Long.toString(offset)), context)
                    .map(reply -> client().decode(reply, r -> Replies.directoryPart(r, context)));
        });
    }

    private Promise<List<String>> directoryInParts(String path, long offset, long generation, List<String> gathered) {
        return directoryPart(path, offset).flatMap(part -> {
            if (generation >= 0 && part.generation() != generation) {
                return directoryInParts(path, 0, -1, new ArrayList<>());
            }
            gathered.addAll(part.children());
            if (part.complete()) {
                return Promise.of(List.copyOf(gathered));
            }
            if (part.children().isEmpty()) {
                return Promise.rejected(new XenStoreProtocolException("DIRECTORY_PART " + path
                        + " returned an empty, incomplete part: the read would never end"));
            }
            long next = offset;
            for (String child : part.children()) {
                next += child.getBytes(StandardCharsets.UTF_8).length + 1;
            }
            return directoryInParts(path, next, part.generation(), gathered);
        });
    }

    /** A node's permissions (XS_GET_PERMS). */
    public Promise<Permissions> getPerms(String path) {
        return withPath(path, absolute -> {
            String context = "GET_PERMS " + absolute;
            return call(MessageType.GET_PERMS, Message.strings(absolute), context)
                    .map(reply -> client().decode(reply, r -> Replies.permissions(r, context)));
        });
    }

    /** Sets a node's permissions (XS_SET_PERMS). */
    public Promise<Void> setPerms(String path, Permissions permissions) {
        return withPath(path, absolute -> {
            List<String> parts = new ArrayList<>();
            parts.add(absolute);
            parts.addAll(permissions.toStrings());
            return ok(MessageType.SET_PERMS, Message.strings(parts), "SET_PERMS " + absolute);
        });
    }

    /** Sends a request whose reply must be "OK". */
    Promise<Void> ok(MessageType type, byte[] payload, String context) {
        return call(type, payload, context).map(reply -> client().decode(reply, r -> Replies.ok(r, context)));
    }

    /** Resolves {@code path}, rejecting an invalid one, and runs {@code request} with the result. */
    <T> Promise<T> withPath(String path, java.util.function.Function<String, Promise<T>> request) {
        String absolute;
        try {
            absolute = StorePath.resolve(client().home(), path);
        } catch (XenStoreException e) {
            return Promise.rejected(e);
        }
        return request.apply(absolute);
    }
}
