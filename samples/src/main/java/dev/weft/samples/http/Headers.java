package dev.weft.samples.http;

import java.nio.charset.StandardCharsets;

/**
 * Header fields of a request in arrival order; names compare case-insensitively. Immutable, and
 * safe to share between threads: what it makes lazily (below) is only ever a cache of strings
 * equal to the ones it would make again.
 *
 * <p>Small and lazy on purpose, because a server makes one of these per request and most fields
 * are never asked for: the fields are kept as the bytes of their lines, one array, with the
 * offsets of each name and value in another; a name or value becomes a String only when it is
 * asked for ({@link #name}, {@link #value}, or a {@link #get} that finds it), once.
 */
public final class Headers {
    private static final Headers NONE = new Headers();

    /** The field lines as received (Latin-1), from the first field's name to the last field's value. */
    private final byte[] lines;
    /**
     * Where field {@code i} is in {@link #lines}: its name in {@code [offsets[4i], offsets[4i+1])},
     * its value (without surrounding whitespace) in {@code [offsets[4i+2], offsets[4i+3])}.
     */
    private final int[] offsets;
    private final int size;
    /**
     * The strings made so far: {@code strings[2i]} field i's name, {@code strings[2i+1]} its
     * value, null until asked for. Written without synchronisation: a thread that does not see
     * another's string (or array) makes an equal one itself.
     */
    private String[] strings;

    /** Creates an empty set of fields. */
    public Headers() {
        this(new byte[0], new int[0], 0);
    }

    /** Fields already read: {@code lines} and {@code offsets} as the fields describe, taken over, not copied. */
    Headers(byte[] lines, int[] offsets, int size) {
        this.lines = lines;
        this.offsets = offsets;
        this.size = size;
    }

    /** No fields: one instance serves every head that has none. */
    static Headers none() {
        return NONE;
    }

    /**
     * Whether these fields were read from the bytes {@code bytes[from, to)}: then fields read from
     * equal bytes are equal to these, and a parser may hand out this instance for them.
     */
    boolean readFrom(byte[] bytes, int from, int to) {
        byte[] own = lines;
        if (to - from != own.length) {
            return false;
        }
        for (int i = 0; i < own.length; i++) {
            if (own[i] != bytes[from + i]) {
                return false;
            }
        }
        return true;
    }

    /** The number of fields. */
    public int size() {
        return size;
    }

    /** The name of field {@code i} as sent. */
    public String name(int i) {
        return string(2 * i);
    }

    /** The value of field {@code i}, without surrounding whitespace. */
    public String value(int i) {
        return string(2 * i + 1);
    }

    /** The value of the first field called {@code name} (any case), or null. */
    public String get(String name) {
        for (int i = 0; i < size; i++) {
            if (isNamed(i, name)) {
                return value(i);
            }
        }
        return null;
    }

    /** Whether field {@code i}'s name is {@code name} in any case, compared in place without making its String. */
    private boolean isNamed(int i, String name) {
        int start = offsets[4 * i];
        int length = offsets[4 * i + 1] - start;
        if (length != name.length()) {
            return false;
        }
        for (int k = 0; k < length; k++) {
            char sent = (char) (lines[start + k] & 0xff);
            char asked = name.charAt(k);
            if (sent != asked && !sameIgnoringCase(sent, asked)) {
                return false;
            }
        }
        return true;
    }

    /** {@link String#equalsIgnoreCase}'s rule for one pair of characters. */
    private static boolean sameIgnoringCase(char a, char b) {
        char upperA = Character.toUpperCase(a);
        char upperB = Character.toUpperCase(b);
        return upperA == upperB || Character.toLowerCase(upperA) == Character.toLowerCase(upperB);
    }

    /** The name ({@code 2i}) or value ({@code 2i+1}) of field i, made on first use. */
    private String string(int which) {
        if (which < 0 || which >= 2 * size) {
            throw new IndexOutOfBoundsException("field " + (which >> 1) + " of " + size);
        }
        String[] made = strings;
        if (made == null) {
            made = new String[2 * size];
            strings = made;
        }
        String s = made[which];
        if (s == null) {
            int start = offsets[2 * which];
            s = new String(lines, start, offsets[2 * which + 1] - start, StandardCharsets.ISO_8859_1);
            made[which] = s;
        }
        return s;
    }
}
