package dev.weft.bench.rounds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Reading the results log the scripts write. */
class RoundResultsTest {

    @Test
    void onlyRunLinesAreRunsNotWarmUpsCommentsOrNotes() {
        RoundResults results = RoundResults.parse(List.of(
                "# ./weft bench http",
                "round round=1 started=2026-12-05T02:00:00Z loadavg=0.10",
                "warmup round=1 server=c scenario=plain rate=5",
                "run round=1 server=c scenario=plain rate=7 p50_us=40 p99_us=90 errors=0",
                "",
                "memory server=c fresh_mib=1.2 idle_mib=40.0 opened=10000"));

        assertEquals(List.of(7.0), results.perRound("c", "plain", Metric.RATE));
        assertEquals(List.of(90.0), results.perRound("c", "plain", Metric.P99));
    }

    @Test
    void aServersValueInARoundIsTheMedianOfItsCyclesKnownValues() {
        RoundResults results = RoundResults.parse(List.of(
                "run round=1 cycle=1 server=c scenario=plain rate=7 p99_us=90",
                "run round=1 cycle=2 server=c scenario=plain rate=9 p99_us=?",
                "run round=1 cycle=3 server=c scenario=plain rate=8 p99_us=70",
                "run round=2 cycle=1 server=c scenario=plain rate=1 p99_us=10"));

        assertEquals(List.of(8.0, 1.0), results.perRound("c", "plain", Metric.RATE));
        assertEquals(80.0, results.value(1, "c", "plain", Metric.P99));
        assertEquals(9.0, results.value(1, 2, "c", "plain", Metric.RATE));
    }

    @Test
    void aRunLineWithoutACycleIsItsRoundsFirstCycle() {
        RoundResults results = RoundResults.parse(List.of("run round=1 server=c scenario=plain rate=7"));

        assertEquals(Set.of(1), results.cycles(1));
        assertEquals(7.0, results.value(1, 1, "c", "plain", Metric.RATE));
    }

    @Test
    void aValueWrittenAsQuestionMarkIsUnknown() {
        RoundResults results = RoundResults.parse(List.of("run round=1 server=c scenario=plain rate=7 p99_us=? errors=?"));

        assertTrue(Double.isNaN(results.value(1, "c", "plain", Metric.P99)));
        assertEquals(-1, results.errors("c", "plain"));
    }

    @Test
    void aMalformedRunLineIsRejectedWithItsLineNumber() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RoundResults.parse(List.of(
                "# header",
                "run round=1 server=c scenario=plain rate=fast")));

        assertTrue(e.getMessage().startsWith("results log line 2: rate=fast is not a number"), e.getMessage());
    }
}
