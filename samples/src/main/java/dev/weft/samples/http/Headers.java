package dev.weft.samples.http;

import java.util.Arrays;

/**
 * Header fields of a request in arrival order; names compare case-insensitively. Small on
 * purpose: two parallel arrays, no map, because a request carries a handful of fields.
 */
public final class Headers {
    private String[] names = new String[8];
    private String[] values = new String[8];
    private int size;

    /** Creates an empty set of fields. */
    public Headers() {}

    /** The number of fields. */
    public int size() {
        return size;
    }

    /** The name of field {@code i} as sent. */
    public String name(int i) {
        return names[i];
    }

    /** The value of field {@code i}, without surrounding whitespace. */
    public String value(int i) {
        return values[i];
    }

    /** The value of the first field called {@code name} (any case), or null. */
    public String get(String name) {
        for (int i = 0; i < size; i++) {
            if (names[i].equalsIgnoreCase(name)) {
                return values[i];
            }
        }
        return null;
    }

    void add(String name, String value) {
        if (size == names.length) {
            names = Arrays.copyOf(names, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        names[size] = name;
        values[size] = value;
        size++;
    }
}
