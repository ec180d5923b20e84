package dev.weft.xen.store;

import java.util.List;

/**
 * Strict decoding of reply payloads: anything a real xenstored would not send is a {@link
 * XenStoreProtocolException}. Stateless.
 */
final class Replies {
    private Replies() {}

    /** Checks an acknowledgement: "OK" and a NUL (a bare "OK" is accepted too). */
    static Void ok(Message reply, String context) {
        byte[] p = reply.payload();
        boolean ok = (p.length == 3 && p[2] == 0 || p.length == 2) && p[0] == 'O' && p[1] == 'K';
        if (!ok) {
            throw malformed(context, "\"OK\"", reply);
        }
        return null;
    }

    /** A NUL-terminated single string (a domain path, a transaction id). */
    static String string(Message reply, String context) {
        byte[] p = reply.payload();
        if (p.length == 0 || p[p.length - 1] != 0) {
            throw malformed(context, "a NUL-terminated string", reply);
        }
        List<String> parts = Message.split(p);
        if (parts.size() != 1) {
            throw malformed(context, "one string", reply);
        }
        return parts.get(0);
    }

    /** A transaction id: a non-zero decimal u32. */
    static int transactionId(Message reply, String context) {
        long id = Decimal.parse(string(reply, context), 0xffff_ffffL);
        if (id <= 0) {
            throw malformed(context, "a non-zero decimal transaction id", reply);
        }
        return (int) id;
    }

    /** "T" or "F". */
    static boolean bool(Message reply, String context) {
        String value = string(reply, context);
        if (!value.equals("T") && !value.equals("F")) {
            throw malformed(context, "\"T\" or \"F\"", reply);
        }
        return value.equals("T");
    }

    static Permissions permissions(Message reply, String context) {
        byte[] p = reply.payload();
        if (p.length == 0 || p[p.length - 1] != 0) {
            throw malformed(context, "NUL-terminated permission entries", reply);
        }
        try {
            return Permissions.parse(Message.split(p));
        } catch (IllegalArgumentException e) {
            throw new XenStoreProtocolException(context + ": " + e.getMessage());
        }
    }

    static DirectoryPart directoryPart(Message reply, String context) {
        byte[] p = reply.payload();
        if (p.length == 0 || p[p.length - 1] != 0) {
            throw malformed(context, "a generation and NUL-terminated names", reply);
        }
        List<String> parts = Message.split(p);
        long generation = Decimal.parse(parts.get(0), Long.MAX_VALUE / 10);
        if (generation < 0) {
            throw malformed(context, "a decimal generation count first", reply);
        }
        List<String> names = parts.subList(1, parts.size());
        boolean complete = !names.isEmpty() && names.get(names.size() - 1).isEmpty();
        List<String> children = complete ? names.subList(0, names.size() - 1) : names;
        if (children.contains("")) {
            throw malformed(context, "non-empty child names", reply);
        }
        return new DirectoryPart(generation, children, complete);
    }

    /**
     * A watch event's payload: the path and the token, each NUL-terminated. Further strings are
     * ignored, as libxenstore ignores them (it asks for at least two).
     */
    static WatchEvent watchEvent(Message event) {
        byte[] p = event.payload();
        List<String> parts = Message.split(p);
        if (p.length == 0 || p[p.length - 1] != 0 || parts.size() < 2) {
            throw malformed("WATCH_EVENT", "a path and a token, each NUL-terminated", event);
        }
        return new WatchEvent(parts.get(0), parts.get(1));
    }

    /** The errno an XS_ERROR reply names. */
    static XsError error(Message reply, String context) {
        XsError error = XsError.ofName(string(reply, context));
        if (error == null) {
            throw malformed(context, "an errno name of xsd_errors", reply);
        }
        return error;
    }

    private static XenStoreProtocolException malformed(String context, String expected, Message reply) {
        String shown = StorePath.printable(new String(reply.payload(), java.nio.charset.StandardCharsets.ISO_8859_1));
        return new XenStoreProtocolException(context + ": expected " + expected + " in the " + Message.describe(reply.type())
                + " reply, got \"" + shown + "\" (" + reply.payload().length + " bytes)");
    }
}
