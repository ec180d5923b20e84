package dev.weft.bench.rounds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Targets on the median of per-round ratios, as issue 13 states them. */
class TargetTest {

    @Test
    void aTargetNamesItsScenarioServersMetricAndBound() {
        Target t = Target.parse("plain weft-epoll/c p99 <= 1.20");

        assertEquals(new Target("plain", new Comparison("weft-epoll", "c", Metric.P99), false, 1.20), t);
    }

    @Test
    void aMedianExactlyAtAnAtLeastBoundPasses() {
        Target t = Target.parse("pipelined weft-epoll/c rate >= 0.90");

        assertEquals(Target.Status.PASS, t.judge(new Spread(List.of(0.85, 0.90, 0.97))));
    }

    @Test
    void aMedianBelowAnAtLeastBoundFailsEvenIfARoundMeetsIt() {
        Target t = Target.parse("pipelined weft-epoll/c rate >= 0.90");

        assertEquals(Target.Status.FAIL, t.judge(new Spread(List.of(0.85, 0.89, 0.97))));
    }

    @Test
    void aLatencyTargetPassesWhenTheMedianIsAtMostItsBound() {
        Target t = Target.parse("1conn weft-epoll/c p99 <= 1.10");

        assertEquals(Target.Status.PASS, t.judge(new Spread(List.of(0.95, 1.08, 1.30))));
        assertEquals(Target.Status.FAIL, t.judge(new Spread(List.of(1.12, 1.11, 1.30))));
    }

    @Test
    void aTargetWithNoMeasuredRoundIsNotMeasured() {
        assertEquals(Target.Status.NOT_MEASURED, Target.parse("plain weft-nio/weft-epoll rate >= 0.9").judge(new Spread(List.of())));
    }

    @Test
    void aMalformedTargetIsRejectedWithTheExpectedShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Target.parse("plain weft-epoll rate >= 0.9"));

        assertTrue(e.getMessage().contains("SCENARIO A/B METRIC"), e.getMessage());
    }
}
