package dev.weft.samples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpErrorTest {

    @ParameterizedTest
    @ValueSource(ints = {-400, 0, 200, 399, 600, 4000})
    void aStatusThatIsNotAClientOrServerErrorIsRefusedNamingIt(int status) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> new HttpError(status, "refused"));

        assertTrue(refused.getMessage().contains("status " + status + " "), refused.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 431, 599})
    void aClientOrServerErrorStatusIsKept(int status) {
        assertEquals(status, new HttpError(status, "refused").status());
    }
}
