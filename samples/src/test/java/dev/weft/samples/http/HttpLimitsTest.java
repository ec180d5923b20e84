package dev.weft.samples.http;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Limits a server cannot work with are refused where they are made, naming the limit: not
 * accepted to fail later, per connection (a negative timeout fires at once; a body limit past what
 * one array holds lets a client's body overflow the array it is buffered in).
 */
class HttpLimitsTest {
    private static final Duration SECOND = Duration.ofSeconds(1);

    @Test
    void aHeadLimitBelowOneByteIsRefused() {
        assertRefusedNaming("maxHeadBytes", () -> new HttpLimits(0, 1024, SECOND, SECOND, SECOND));
    }

    @Test
    void aNegativeBodyLimitIsRefused() {
        assertRefusedNaming("maxBodyBytes", () -> new HttpLimits(8192, -1, SECOND, SECOND, SECOND));
    }

    @Test
    void aBodyLimitPastWhatOneArrayHoldsIsRefused() {
        assertRefusedNaming("maxBodyBytes", () -> new HttpLimits(8192, 4L << 30, SECOND, SECOND, SECOND));
    }

    @Test
    void aZeroOrNegativeTimeoutIsRefusedNamingIt() {
        assertRefusedNaming("headerTimeout", () -> new HttpLimits(8192, 1024, Duration.ZERO, SECOND, SECOND));
        assertRefusedNaming("bodyTimeout", () -> new HttpLimits(8192, 1024, SECOND, Duration.ofMillis(-1), SECOND));
        assertRefusedNaming("idleTimeout", () -> new HttpLimits(8192, 1024, SECOND, SECOND, Duration.ofMillis(-5)));
    }

    @Test
    void aMissingTimeoutIsRefusedNamingIt() {
        NullPointerException missing = assertThrows(NullPointerException.class,
                () -> new HttpLimits(8192, 1024, SECOND, SECOND, null));
        assertTrue(missing.getMessage().contains("idleTimeout"), missing.getMessage());
    }

    private static void assertRefusedNaming(String limit, org.junit.jupiter.api.function.Executable make) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, make);
        assertTrue(refused.getMessage().contains(limit), refused.getMessage());
    }
}
