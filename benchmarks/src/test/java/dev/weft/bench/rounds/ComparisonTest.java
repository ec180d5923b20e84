package dev.weft.bench.rounds;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Ratios taken round by round, and the set of comparisons a table makes. */
class ComparisonTest {

    private static final Comparison WEFT_OVER_NETTY = new Comparison("weft-epoll", "netty", Metric.RATE);

    @Test
    void eachRatioPairsTwoServersOfTheSameRound() {
        RoundResults results = RoundResults.parse(List.of(
                "run round=1 server=netty scenario=plain rate=100",
                "run round=2 server=weft-epoll scenario=plain rate=300",
                "run round=1 server=weft-epoll scenario=plain rate=120",
                "run round=2 server=netty scenario=plain rate=200"));

        assertEquals(List.of(1.2, 1.5), WEFT_OVER_NETTY.ratios(results, "plain").values());
    }

    @Test
    void aRoundsRatioIsTheMedianOfItsPerCycleRatiosNotARatioOfItsMedians() {
        // cycle 2 falls in a slower state of the machine for both servers
        RoundResults results = RoundResults.parse(List.of(
                "run round=1 cycle=1 server=netty scenario=plain rate=100",
                "run round=1 cycle=1 server=weft-epoll scenario=plain rate=90",
                "run round=1 cycle=2 server=weft-epoll scenario=plain rate=72",
                "run round=1 cycle=2 server=netty scenario=plain rate=80",
                "run round=1 cycle=3 server=netty scenario=plain rate=110",
                "run round=1 cycle=3 server=weft-epoll scenario=plain rate=121"));

        // per cycle 0.9, 0.9, 1.1: median 0.9; the medians' ratio would be 90 / 100
        assertEquals(List.of(0.9), WEFT_OVER_NETTY.ratios(results, "plain").values());
    }

    @Test
    void aCycleMissingEitherServerIsLeftOutOfItsRound() {
        RoundResults results = RoundResults.parse(List.of(
                "run round=1 cycle=1 server=netty scenario=plain rate=100",
                "run round=1 cycle=1 server=weft-epoll scenario=plain rate=120",
                "run round=1 cycle=2 server=weft-epoll scenario=plain rate=500",
                "run round=1 cycle=3 server=netty scenario=plain rate=100",
                "run round=1 cycle=3 server=weft-epoll scenario=plain rate=140"));

        assertEquals(1.3, WEFT_OVER_NETTY.ratios(results, "plain").values().getFirst(), 1e-9);
    }

    @Test
    void aRoundMissingEitherServerIsLeftOut() {
        RoundResults results = RoundResults.parse(List.of(
                "run round=1 server=netty scenario=plain rate=100",
                "run round=1 server=weft-epoll scenario=plain rate=120",
                "run round=2 server=weft-epoll scenario=plain rate=300",
                "run round=3 server=netty scenario=plain rate=100",
                "run round=3 server=weft-epoll scenario=plain rate=?"));

        assertEquals(List.of(1.2), WEFT_OVER_NETTY.ratios(results, "plain").values());
    }

    @Test
    void aRatioComparesOnlyItsOwnScenario() {
        RoundResults results = RoundResults.parse(List.of(
                "run round=1 server=netty scenario=plain rate=100",
                "run round=1 server=weft-epoll scenario=pipelined rate=900"));

        assertEquals(List.of(), WEFT_OVER_NETTY.ratios(results, "plain").values());
    }

    @Test
    void theStandardSetComparesWeftWithNettyAndCTwoLoopsWithTwoLoopsAndScalesEachTwoLoopServer() {
        List<String> labels = Comparison.standardSet(List.of("c", "weft-epoll", "weft-nio", "netty", "weft-epoll-2", "netty-2"))
                .stream().map(Comparison::label).toList();

        assertEquals(List.of(
                "weft-epoll / netty", "weft-epoll / c", "weft-nio / netty", "weft-nio / c", "netty / c",
                "weft-nio / weft-epoll", "weft-epoll-2 / netty-2",
                "scaling weft-epoll-2 / weft-epoll", "scaling netty-2 / netty",
                "p99 weft-epoll / c", "p99 weft-nio / c", "p99 netty / c"), labels);
    }

    @Test
    void aComparisonWithAServerNotInTheTableIsLeftOut() {
        List<String> labels = Comparison.standardSet(List.of("netty", "weft-epoll")).stream().map(Comparison::label).toList();

        assertEquals(List.of("weft-epoll / netty"), labels);
    }
}
