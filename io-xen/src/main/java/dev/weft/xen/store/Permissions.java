package dev.weft.xen.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A node's permissions as xenstored keeps them: an owner domain, the access every domain not
 * listed gets, and per-domain grants. The owner (and dom0, which is privileged) always has full
 * access. Immutable.
 *
 * <p>On the wire (GET_PERMS, SET_PERMS) this is a list of strings, each an access letter and a
 * decimal domain id: the first names the owner and the default access ({@code n0}: owned by
 * dom0, no access for others), the rest are grants ({@code r5}: domain 5 may read).
 *
 * @param owner the owning domain
 * @param others the access of domains not granted anything explicitly
 * @param grants explicit per-domain access, in order
 */
public record Permissions(int owner, Access others, List<Grant> grants) {

    /** What a domain may do with a node: xenstored's {@code n}, {@code r}, {@code w}, {@code b}. */
    public enum Access {
        /** No access ({@code n}). */
        NONE('n'),
        /** Read only ({@code r}). */
        READ('r'),
        /** Write only ({@code w}). */
        WRITE('w'),
        /** Read and write ({@code b}, both). */
        BOTH('b');

        private final char letter;

        Access(char letter) {
            this.letter = letter;
        }

        /** The letter on the wire. */
        public char letter() {
            return letter;
        }

        /** Whether this access allows reading. */
        public boolean canRead() {
            return this == READ || this == BOTH;
        }

        /** Whether this access allows writing. */
        public boolean canWrite() {
            return this == WRITE || this == BOTH;
        }

        static Access ofLetter(char letter) {
            for (Access access : values()) {
                if (access.letter == letter) {
                    return access;
                }
            }
            return null;
        }
    }

    /**
     * One domain's explicit access.
     *
     * @param domain the domain id
     * @param access what it may do
     */
    public record Grant(int domain, Access access) {
        /** Checks the arguments. */
        public Grant {
            checkDomain(domain);
            Objects.requireNonNull(access, "access");
        }
    }

    /** Checks the arguments and copies {@code grants}. */
    public Permissions {
        checkDomain(owner);
        Objects.requireNonNull(others, "others");
        grants = List.copyOf(grants);
    }

    /** Owned by {@code owner}, with {@code others} for everyone else and no grants. */
    public static Permissions of(int owner, Access others) {
        return new Permissions(owner, others, List.of());
    }

    /** These permissions with one more grant. */
    public Permissions with(int domain, Access access) {
        List<Grant> more = new ArrayList<>(grants);
        more.add(new Grant(domain, access));
        return new Permissions(owner, others, more);
    }

    /** What domain {@code domain} may do, as xenstored decides it (dom0 and the owner: both). */
    public Access accessOf(int domain) {
        if (domain == 0 || domain == owner) {
            return Access.BOTH;
        }
        for (Grant grant : grants) {
            if (grant.domain == domain) {
                return grant.access;
            }
        }
        return others;
    }

    /** The wire form: one string per entry, the owner's first. */
    public List<String> toStrings() {
        List<String> entries = new ArrayList<>(grants.size() + 1);
        entries.add(others.letter + Integer.toString(owner));
        for (Grant grant : grants) {
            entries.add(grant.access.letter + Integer.toString(grant.domain));
        }
        return entries;
    }

    /**
     * Parses the wire form strictly: at least one entry, each a letter of {@code nrwb} and a
     * decimal domain id (0-65535, no sign, no padding).
     *
     * @throws IllegalArgumentException naming the bad entry
     */
    public static Permissions parse(List<String> entries) {
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("permissions: no entries (the owner's comes first)");
        }
        int owner = domainOf(entries.get(0));
        Access others = accessOf(entries.get(0));
        List<Grant> grants = new ArrayList<>(entries.size() - 1);
        for (String entry : entries.subList(1, entries.size())) {
            grants.add(new Grant(domainOf(entry), accessOf(entry)));
        }
        return new Permissions(owner, others, grants);
    }

    private static Access accessOf(String entry) {
        Access access = entry.isEmpty() ? null : Access.ofLetter(entry.charAt(0));
        if (access == null) {
            throw new IllegalArgumentException("permissions: entry \"" + StorePath.printable(entry)
                    + "\" does not start with one of n, r, w, b");
        }
        return access;
    }

    private static int domainOf(String entry) {
        String digits = entry.isEmpty() ? "" : entry.substring(1);
        int domain = Decimal.parse(digits, 65535);
        if (domain < 0) {
            throw new IllegalArgumentException("permissions: entry \"" + StorePath.printable(entry)
                    + "\" does not end with a domain id (decimal, 0-65535)");
        }
        return domain;
    }

    private static void checkDomain(int domain) {
        if (domain < 0 || domain > 65535) {
            throw new IllegalArgumentException("domain id " + domain + " is not in 0-65535");
        }
    }
}
