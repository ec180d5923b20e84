package dev.weft.bench.rounds;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What a series of per-round ratios shows: a difference only when every round is on one side of 1.0. */
class VerdictTest {

    private static Verdict of(Double... ratios) {
        return Verdict.of(new Spread(List.of(ratios)));
    }

    @Test
    void roundsOnBothSidesOfOneShowNoDifference() {
        assertEquals(Verdict.NO_DIFFERENCE_SHOWN, of(1.14, 0.97, 1.29));
    }

    @Test
    void aRoundExactlyAtOneShowsNoDifference() {
        assertEquals(Verdict.NO_DIFFERENCE_SHOWN, of(1.0, 1.2, 1.3));
    }

    @Test
    void everyRoundAboveOneIsAbove() {
        assertEquals(Verdict.ABOVE_IN_EVERY_ROUND, of(1.01, 1.81, 1.07));
    }

    @Test
    void everyRoundBelowOneIsBelow() {
        assertEquals(Verdict.BELOW_IN_EVERY_ROUND, of(0.82, 0.79, 0.99));
    }

    @Test
    void noRoundIsNotMeasured() {
        assertEquals(Verdict.NOT_MEASURED, of());
    }
}
