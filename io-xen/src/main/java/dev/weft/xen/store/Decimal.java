package dev.weft.xen.store;

/** Strict decimal parsing of untrusted numbers from payloads (ids, domids, states). Stateless. */
public final class Decimal {
    private Decimal() {}

    /**
     * The value of {@code text} if it is a canonical decimal number in 0..{@code max} (digits
     * only, no sign, no leading zero except "0" itself), else -1.
     */
    public static long parse(String text, long max) {
        if (text.isEmpty() || text.length() > 18 || (text.length() > 1 && text.charAt(0) == '0')) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
            if (value > max) {
                return -1;
            }
        }
        return value;
    }

    /** {@link #parse(String, long)} for values that fit an int. */
    public static int parse(String text, int max) {
        return (int) parse(text, (long) max);
    }
}
