package dev.weft.loop.device;

import dev.weft.promise.Promise;

/**
 * A text console (MirageOS's {@code Mirage_console.S}): standard input and output on io-unix, the
 * console ring on io-xen. It is a {@link Flow} of bytes, plus {@link #log} for lines.
 *
 * <p><b>Threading: LOOP THREAD ONLY.</b>
 */
public interface Console extends Flow {

    /**
     * Writes {@code line} in UTF-8 followed by a newline, after any earlier writes. Fulfilled once
     * the console has taken it; rejected like {@link Flow#write}.
     */
    Promise<Void> log(String line);
}
