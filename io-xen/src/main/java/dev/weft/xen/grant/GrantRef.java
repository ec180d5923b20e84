package dev.weft.xen.grant;

/**
 * A grant reference: the number by which a domain names one page it granted to another (Xen's
 * {@code grant_ref_t}, an unsigned 32-bit value carried here in an int).
 *
 * @param value the reference as the granting domain's grant table numbers it
 */
public record GrantRef(int value) {
    @Override
    public String toString() {
        return "gref " + Integer.toUnsignedString(value);
    }
}
