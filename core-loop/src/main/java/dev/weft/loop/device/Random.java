package dev.weft.loop.device;

import dev.weft.promise.Promise;
import java.lang.foreign.MemorySegment;

/**
 * A source of cryptographically strong random bytes (MirageOS's {@code Mirage_random.S}): the
 * kernel's getrandom on io-unix, a seeded generator fed by the hypervisor's entropy on io-xen.
 *
 * <p><b>Threading: LOOP THREAD ONLY.</b>
 */
public interface Random {

    /**
     * Fills all of {@code into} with random bytes. Fulfilled once filled; rejected with an
     * IOException if the source cannot provide entropy (for example, not yet seeded and unable
     * to wait). The segment must not be touched until then.
     */
    Promise<Void> fill(MemorySegment into);
}
