package dev.weft.loop.device;

import java.util.HexFormat;

/**
 * A 48-bit Ethernet MAC address, held in the low 48 bits of a long.
 *
 * @param bits the address, most significant octet first, in bits 47..0
 */
public record MacAddress(long bits) {

    private static final long MASK = 0xFFFF_FFFF_FFFFL;

    /**
     * Validates the address.
     *
     * @throws IllegalArgumentException if bits above 47 are set
     */
    public MacAddress {
        if ((bits & ~MASK) != 0) {
            throw new IllegalArgumentException("a MAC address has 48 bits, got 0x" + Long.toHexString(bits));
        }
    }

    /**
     * Parses {@code "aa:bb:cc:dd:ee:ff"}.
     *
     * @throws IllegalArgumentException if the text is not six colon-separated hex octets
     */
    public static MacAddress parse(String text) {
        String[] octets = text.split(":", -1);
        if (octets.length != 6) {
            throw new IllegalArgumentException("not a MAC address (want aa:bb:cc:dd:ee:ff): " + text);
        }
        long bits = 0;
        for (String octet : octets) {
            if (octet.length() != 2) {
                throw new IllegalArgumentException("not a MAC address (want aa:bb:cc:dd:ee:ff): " + text);
            }
            bits = (bits << 8) | HexFormat.fromHexDigits(octet);
        }
        return new MacAddress(bits);
    }

    /** The address as {@code aa:bb:cc:dd:ee:ff}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            if (shift != 40) {
                text.append(':');
            }
            text.append(HexFormat.of().toHexDigits((byte) (bits >>> shift)));
        }
        return text.toString();
    }
}
