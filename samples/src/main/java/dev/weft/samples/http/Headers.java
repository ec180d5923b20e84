package dev.weft.samples.http;

import java.util.Arrays;

/**
 * Header fields of a request in arrival order; names compare case-insensitively. Immutable. Small
 * on purpose: one array of exactly the fields' size, no map, because a request carries a handful
 * of fields and a server makes one of these per request.
 */
public final class Headers {
    /** Name and value of each field in turn: {@code fields[2i]} is field i's name, {@code fields[2i+1]} its value. */
    private final String[] fields;
    private final int size;

    /** Creates an empty set of fields. */
    public Headers() {
        this(new String[0], 0);
    }

    /** Fields already gathered: {@code fields} holds {@code size} name/value pairs and is taken over, not copied. */
    private Headers(String[] fields, int size) {
        this.fields = fields;
        this.size = size;
    }

    private static final Headers NONE = new Headers();

    /** The first {@code size} name/value pairs of {@code fields}, in an array of exactly their size. */
    static Headers copyOf(String[] fields, int size) {
        return size == 0 ? NONE : new Headers(Arrays.copyOf(fields, 2 * size), size);
    }

    /**
     * Whether these are the first {@code size} name/value pairs of {@code fields}, the same String
     * objects in the same order: then a parser may hand out this (immutable) instance for them.
     */
    boolean sameFields(String[] fields, int size) {
        if (size != this.size) {
            return false;
        }
        for (int i = 0; i < 2 * size; i++) {
            if (fields[i] != this.fields[i]) {
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
        return fields[2 * i];
    }

    /** The value of field {@code i}, without surrounding whitespace. */
    public String value(int i) {
        return fields[2 * i + 1];
    }

    /** The value of the first field called {@code name} (any case), or null. */
    public String get(String name) {
        for (int i = 0; i < size; i++) {
            if (fields[2 * i].equalsIgnoreCase(name)) {
                return fields[2 * i + 1];
            }
        }
        return null;
    }
}
