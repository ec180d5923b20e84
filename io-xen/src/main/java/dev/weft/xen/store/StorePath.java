package dev.weft.xen.store;

/**
 * Xenstore path rules (docs/misc/xenstore.txt, xenstored's node-name check): an absolute path
 * starts with {@code /}; a relative one is relative to the connection's domain home,
 * {@code /local/domain/<domid>}. Path characters are ASCII letters, digits and {@code -/_@};
 * no empty component ({@code //}), no trailing {@code /} except the root itself. An absolute
 * path is at most {@link #ABS_PATH_MAX} bytes, a relative one {@link #REL_PATH_MAX}. Watches may
 * also name the special paths {@code @introduceDomain} and {@code @releaseDomain}. Stateless.
 */
public final class StorePath {
    /** {@code XENSTORE_ABS_PATH_MAX}. */
    public static final int ABS_PATH_MAX = 3072;
    /** {@code XENSTORE_REL_PATH_MAX}. */
    public static final int REL_PATH_MAX = 2048;
    /** The special watch path that fires when a domain is introduced. */
    public static final String INTRODUCE_DOMAIN = "@introduceDomain";
    /** The special watch path that fires when a domain is released. */
    public static final String RELEASE_DOMAIN = "@releaseDomain";

    private StorePath() {}

    /** The home path of domain {@code domid}: {@code /local/domain/<domid>}. */
    public static String home(int domid) {
        return "/local/domain/" + domid;
    }

    /** Whether {@code path} is a valid node path, absolute or relative. */
    public static boolean isValid(String path) {
        if (path.isEmpty() || path.length() > (path.charAt(0) == '/' ? ABS_PATH_MAX : REL_PATH_MAX)) {
            return false;
        }
        if (path.equals("/")) {
            return true;
        }
        if (path.endsWith("/") || path.contains("//")) {
            return false;
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '/' || c == '_' || c == '@';
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code path} is one of the special watch paths. */
    public static boolean isSpecial(String path) {
        return path.equals(INTRODUCE_DOMAIN) || path.equals(RELEASE_DOMAIN);
    }

    /**
     * {@code path} made absolute against {@code home} if it is relative and {@code home} is not
     * null; unchanged otherwise.
     *
     * @throws XenStoreException with {@link XsError#EINVAL} if the path (or the result) is invalid
     */
    public static String resolve(String home, String path) {
        if (!isValid(path)) {
            throw new XenStoreException(XsError.EINVAL, "path \"" + printable(path) + "\"");
        }
        if (path.charAt(0) == '/' || home == null) {
            return path;
        }
        String absolute = home + "/" + path;
        if (!isValid(absolute)) {
            throw new XenStoreException(XsError.EINVAL, "path \"" + printable(absolute) + "\"");
        }
        return absolute;
    }

    /**
     * Whether the node at {@code path} is {@code ancestor} or lies under it (what a watch on
     * {@code ancestor} sees). Both absolute.
     */
    public static boolean isWithin(String path, String ancestor) {
        return path.equals(ancestor) || ancestor.equals("/")
                || (path.startsWith(ancestor) && path.length() > ancestor.length() && path.charAt(ancestor.length()) == '/');
    }

    /** The parent of an absolute, non-root path. */
    public static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash == 0 ? "/" : path.substring(0, slash);
    }

    /** {@code text} shortened and with control characters escaped, fit for an error message. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(text.length(), 80); i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c & 0xff));
        }
        return text.length() > 80 ? out + "..." : out.toString();
    }
}
