package dev.weft.bench.rounds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The median, minimum and maximum of a few per-round values. */
class SpreadTest {

    @Test
    void theMedianOfAnOddCountIsTheMiddleValue() {
        assertEquals(1.07, new Spread(List.of(1.81, 1.07, 0.98)).median());
    }

    @Test
    void theMedianOfAnEvenCountIsTheMeanOfTheTwoMiddleValues() {
        assertEquals(1.5, new Spread(List.of(4.0, 1.0, 2.0, 0.5)).median());
    }

    @Test
    void minimumAndMaximumAreTheExtremesWhateverTheRoundOrder() {
        Spread spread = new Spread(List.of(1.2, 0.9, 1.4, 1.0));

        assertEquals(0.9, spread.min());
        assertEquals(1.4, spread.max());
    }

    @Test
    void anEmptySpreadHasNoMedian() {
        Spread empty = new Spread(List.of());

        assertTrue(Double.isNaN(empty.median()));
        assertTrue(Double.isNaN(empty.min()));
        assertTrue(Double.isNaN(empty.max()));
    }
}
