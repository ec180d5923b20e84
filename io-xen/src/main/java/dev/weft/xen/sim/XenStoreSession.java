package dev.weft.xen.sim;

import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.xen.store.Message;
import dev.weft.xen.store.MessageReader;
import dev.weft.xen.store.MessageType;
import dev.weft.xen.store.StorePath;
import dev.weft.xen.store.XenStoreException;
import dev.weft.xen.store.XsError;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * One connection to the model daemon: one domain's requests over one flow, its watches and its
 * open transactions.
 *
 * <p><b>Threading: confined to the daemon's loop.</b>
 *
 * <p>Each request is answered in order with the request's req_id and tx_id: the reply of its
 * type, or XS_ERROR naming the errno. A client that breaks framing (a header over
 * XENSTORE_PAYLOAD_MAX) is disconnected, as xenstored does.
 */
final class XenStoreSession {
    /** A registered watch: the path as the client sent it, and absolute (or special). */
    record WatchEntry(String sent, String absolute, String token) {}

    private final SimXenStore daemon;
    private final Flow flow;
    private final int domain;
    private final MessageReader reader = new MessageReader();
    private final List<WatchEntry> watches = new ArrayList<>();
    private final Map<Integer, SimXenStore.SimTransaction> transactions = new HashMap<>();
    private int lastTransaction;
    private boolean closed;

    XenStoreSession(SimXenStore daemon, Flow flow, int domain) {
        this.daemon = daemon;
        this.flow = flow;
        this.domain = domain;
    }

    int domain() {
        return domain;
    }

    List<WatchEntry> watches() {
        return watches;
    }

    /** Reads and answers requests until the client goes away or breaks framing. */
    Promise<Void> serve() {
        return reader.readFrom(flow, this::answer, () -> closed).tryBind(end -> {
            close();
            return Promise.unit();
        }, failure -> {
            close();
            return Promise.unit();
        });
    }

    void close() {
        if (!closed) {
            closed = true;
            watches.clear();
            transactions.clear();
            daemon.disconnected(this);
            flow.close();
        }
    }

    /** Sends a watch event to this client. */
    void sendEvent(String path, String token) {
        send(Message.of(MessageType.WATCH_EVENT, 0, 0, Message.strings(path, token)));
    }

    /** The path a watch event names for {@code entry} when {@code absolute} changed. */
    String eventPath(WatchEntry entry, String absolute) {
        if (entry.sent().equals(entry.absolute()) || StorePath.isSpecial(absolute)) {
            return absolute;
        }
        String home = StorePath.home(domain) + "/";
        return absolute.startsWith(home) ? absolute.substring(home.length()) : absolute;
    }

    private void answer(Message request) {
        if (closed) {
            return;
        }
        Message reply;
        List<Runnable> after = new ArrayList<>();
        try {
            reply = new Message(request.type(), request.requestId(), request.transactionId(), process(request, after));
        } catch (XenStoreException e) {
            // Also a reply that would exceed XENSTORE_PAYLOAD_MAX: Message refuses it with E2BIG.
            reply = Message.of(MessageType.ERROR, request.requestId(), request.transactionId(),
                    Message.strings(e.error().name()));
        }
        send(reply);
        for (Runnable action : after) {
            action.run();
        }
    }

    private void send(Message message) {
        if (!closed) {
            flow.write(MemorySegment.ofArray(message.toBytes())).onFailure(failure -> close());
        }
    }

    // ---------------------------------------------------------------- requests

    /** The reply payload for {@code request}; {@code after} gets what must happen after the reply (events). */
    private byte[] process(Message request, List<Runnable> after) {
        MessageType type = request.knownType();
        if (type == null) {
            throw new XenStoreException(XsError.EINVAL, "unknown message type");
        }
        SimXenStore.Access access = access(request);
        List<String> args = Message.split(request.payload());
        return switch (type) {
            case READ -> access.tree().readable(access.caller(), access.path(arg(args, 0))).value.clone();
            case WRITE -> write(request.payload(), access);
            case MKDIR -> access.mutate(arg(args, 0), (tree, path, changed) -> tree.mkdir(access.caller(), path, changed));
            case RM -> access.mutate(arg(args, 0), (tree, path, changed) -> tree.rm(access.caller(), path, changed));
            case DIRECTORY -> directory(access, arg(args, 0));
            case DIRECTORY_PART -> directoryPart(access, arg(args, 0), arg(args, 1));
            case GET_PERMS -> Message.strings(access.tree().readable(access.caller(), access.path(arg(args, 0)))
                    .permissions.toStrings());
            case SET_PERMS -> access.mutate(arg(args, 0), (tree, path, changed) -> tree.setPermissions(
                    access.caller(), path, SimXenStore.permissions(args.subList(1, args.size())), changed));
            case WATCH -> watch(arg(args, 0), arg(args, 1), after);
            case UNWATCH -> unwatch(arg(args, 0), arg(args, 1));
            case TRANSACTION_START -> startTransaction(request);
            case TRANSACTION_END -> endTransaction(request, arg(args, 0), after);
            case GET_DOMAIN_PATH -> Message.strings(StorePath.home(domainArg(args, 0)));
            case INTRODUCE -> privileged(() -> daemon.introduce(domainArg(args, 0), after));
            case RELEASE -> privileged(() -> daemon.release(domainArg(args, 0), after));
            case IS_DOMAIN_INTRODUCED -> privileged(() -> Message.strings(daemon.isIntroduced(domainArg(args, 0)) ? "T" : "F"));
            case RESUME -> privileged(() -> daemon.resume(domainArg(args, 0)));
            case SET_TARGET -> privileged(() -> daemon.setTarget(domainArg(args, 0), domainArg(args, 1)));
            case RESET_WATCHES -> {
                watches.clear();
                transactions.clear();
                yield ok();
            }
            case CONTROL -> privileged(() -> control(args));
            case WATCH_EVENT, ERROR, INVALID -> throw new XenStoreException(XsError.EINVAL, type + " is not a request");
        };
    }

    private SimXenStore.Access access(Message request) {
        if (request.transactionId() == 0) {
            return daemon.access(this, null);
        }
        SimXenStore.SimTransaction tx = transactions.get(request.transactionId());
        if (tx == null) {
            throw new XenStoreException(XsError.ENOENT, "transaction " + Integer.toUnsignedString(request.transactionId()));
        }
        return daemon.access(this, tx);
    }

    private byte[] write(byte[] payload, SimXenStore.Access access) {
        int nul = 0;
        while (nul < payload.length && payload[nul] != 0) {
            nul++;
        }
        if (nul == payload.length) {
            throw new XenStoreException(XsError.EINVAL, "WRITE without a NUL after the path");
        }
        String path = new String(payload, 0, nul, StandardCharsets.UTF_8);
        byte[] value = java.util.Arrays.copyOfRange(payload, nul + 1, payload.length);
        return access.mutate(path, (tree, absolute, changed) -> tree.write(access.caller(), absolute, value, changed));
    }

    private static byte[] directory(SimXenStore.Access access, String path) {
        XenStoreTree.Node node = access.tree().readable(access.caller(), access.path(path));
        byte[] names = Message.strings(new ArrayList<>(node.children.keySet()));
        if (names.length > Message.PAYLOAD_MAX) {
            throw new XenStoreException(XsError.E2BIG, path);
        }
        return names;
    }

    private static byte[] directoryPart(SimXenStore.Access access, String path, String offsetText) {
        XenStoreTree.Node node = access.tree().readable(access.caller(), access.path(path));
        long offset = dev.weft.xen.store.Decimal.parse(offsetText, Integer.MAX_VALUE);
        byte[] all = Message.strings(new ArrayList<>(node.children.keySet()));
        if (offset < 0 || offset > all.length) {
            throw new XenStoreException(XsError.EINVAL, "DIRECTORY_PART offset " + offsetText);
        }
        byte[] generation = Message.strings(Long.toString(node.generation));
        int room = Message.PAYLOAD_MAX - generation.length - 1;
        int end = (int) offset;
        int scan = (int) offset;
        while (scan < all.length) {
            int nameEnd = scan;
            while (all[nameEnd] != 0) {
                nameEnd++;
            }
            if (nameEnd + 1 - (int) offset > room) {
                break;
            }
            scan = nameEnd + 1;
            end = scan;
        }
        boolean complete = end == all.length;
        byte[] reply = new byte[generation.length + (end - (int) offset) + (complete ? 1 : 0)];
        System.arraycopy(generation, 0, reply, 0, generation.length);
        System.arraycopy(all, (int) offset, reply, generation.length, end - (int) offset);
        return reply;
    }

    private byte[] watch(String sent, String token, List<Runnable> after) {
        String absolute = StorePath.isSpecial(sent) ? sent : daemon.resolve(this, sent);
        for (WatchEntry entry : watches) {
            if (entry.absolute().equals(absolute) && entry.token().equals(token)) {
                throw new XenStoreException(XsError.EEXIST, "watch " + sent + " " + token);
            }
        }
        WatchEntry entry = new WatchEntry(sent, absolute, token);
        watches.add(entry);
        // xenstored fires every new watch once, right after the OK.
        after.add(() -> sendEvent(sent, token));
        return ok();
    }

    private byte[] unwatch(String sent, String token) {
        String absolute = StorePath.isSpecial(sent) ? sent : daemon.resolve(this, sent);
        for (Iterator<WatchEntry> it = watches.iterator(); it.hasNext(); ) {
            WatchEntry entry = it.next();
            if (entry.absolute().equals(absolute) && entry.token().equals(token)) {
                it.remove();
                return ok();
            }
        }
        throw new XenStoreException(XsError.ENOENT, "watch " + sent + " " + token);
    }

    private byte[] startTransaction(Message request) {
        if (request.transactionId() != 0) {
            throw new XenStoreException(XsError.EBUSY, "TRANSACTION_START inside a transaction");
        }
        do {
            lastTransaction++;
        } while (lastTransaction == 0 || transactions.containsKey(lastTransaction));
        transactions.put(lastTransaction, daemon.snapshot());
        return Message.strings(Integer.toUnsignedString(lastTransaction));
    }

    private byte[] endTransaction(Message request, String verdict, List<Runnable> after) {
        if (!verdict.equals("T") && !verdict.equals("F")) {
            throw new XenStoreException(XsError.EINVAL, "TRANSACTION_END " + verdict);
        }
        SimXenStore.SimTransaction tx = transactions.remove(request.transactionId());
        if (tx == null) {
            throw new XenStoreException(XsError.ENOENT, "transaction " + Integer.toUnsignedString(request.transactionId()));
        }
        if (verdict.equals("T")) {
            daemon.commit(tx, after);
        }
        return ok();
    }

    private byte[] control(List<String> args) {
        if (!args.isEmpty() && args.get(0).equals("print")) {
            return ok();
        }
        throw new XenStoreException(XsError.EINVAL, "CONTROL " + (args.isEmpty() ? "" : args.get(0)));
    }

    private byte[] privileged(java.util.function.Supplier<byte[]> request) {
        if (domain != 0) {
            throw new XenStoreException(XsError.EACCES, "dom0 only");
        }
        return request.get();
    }

    static byte[] ok() {
        return Message.strings("OK");
    }

    private static String arg(List<String> args, int index) {
        if (index >= args.size()) {
            throw new XenStoreException(XsError.EINVAL, "missing argument " + (index + 1));
        }
        return args.get(index);
    }

    private static int domainArg(List<String> args, int index) {
        int domid = dev.weft.xen.store.Decimal.parse(arg(args, index), 0x7ff0);
        if (domid < 0) {
            throw new XenStoreException(XsError.EINVAL, "domain id " + args.get(index));
        }
        return domid;
    }
}
