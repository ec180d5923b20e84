package dev.weft.bench.rounds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The report of a fixed results log ({@code three-rounds.log}, values made up so that every case
 * shows): the lines a reader of docs/performance.md would copy, checked to the digit.
 */
class RoundsReportTest {
    private static final List<String> SERVERS = List.of("c", "weft-epoll", "weft-nio", "netty", "weft-epoll-2", "netty-2");

    private static RoundResults fixture() throws IOException {
        try (InputStream in = RoundsReportTest.class.getResourceAsStream("three-rounds.log")) {
            return RoundResults.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList());
        }
    }

    private static String plainTables() throws IOException {
        return RoundsReport.scenarioTables(fixture(), "plain", SERVERS, "req/s");
    }

    private static String lineStartingWith(String report, String start) {
        return report.lines().filter(l -> l.startsWith(start)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with '" + start + "' in:\n" + report));
    }

    @Test
    void aServerRowListsItsRoundsWithADashForTheRoundItMissed() throws IOException {
        String report = plainTables();

        assertEquals("| weft-nio | 90,000 / – / 133,000 | 111,500 | 90,000 | 133,000 | 535 | 1,250 | 0 |",
                lineStartingWith(report, "| weft-nio |"));
    }

    @Test
    void ratiosStraddlingOneAreReportedAsNoDifferenceShown() throws IOException {
        String report = plainTables();

        // 95/80, 110/125, 140/130: above, below, above 1.0
        assertEquals("| weft-epoll / netty | 1.19 / 0.88 / 1.08 | 1.08 | 0.88 | 1.19 | no difference shown |",
                lineStartingWith(report, "| weft-epoll / netty |"));
    }

    @Test
    void theMedianIsOfPerRoundRatiosNotARatioOfMedians() throws IOException {
        String report = plainTables();

        // Per round 0.95, 0.55, 0.93: median 0.93. The medians' ratio would be 110,000 / 150,000 = 0.73.
        assertEquals("| weft-epoll / c | 0.95 / 0.55 / 0.93 | 0.93 | 0.55 | 0.95 | below 1.0 in every round |",
                lineStartingWith(report, "| weft-epoll / c |"));
    }

    @Test
    void twoLoopRowsAreMarkedAndScaledAgainstTheirOneLoopSelves() throws IOException {
        String report = plainTables();

        assertEquals("| weft-epoll-2 / netty-2 † | 1.50 / 1.60 / 1.40 | 1.50 | 1.40 | 1.60 | above 1.0 in every round |",
                lineStartingWith(report, "| weft-epoll-2 / netty-2 †"));
        assertEquals("| scaling weft-epoll-2 / weft-epoll † | 1.58 / 1.60 / 1.50 | 1.58 | 1.50 | 1.60 | above 1.0 in every round |",
                lineStartingWith(report, "| scaling weft-epoll-2 / weft-epoll †"));
    }

    @Test
    void aLatencyRatioLeavesOutTheRoundWhoseP99IsUnknown() throws IOException {
        String report = plainTables();

        // 1100/1000, 1050/900; round 3's C p99 is "?"
        assertEquals("| p99 weft-epoll / c (lower is better) | 1.10 / 1.17 | 1.13 | 1.10 | 1.17 | above 1.0 in every round |",
                lineStartingWith(report, "| p99 weft-epoll / c"));
    }

    @Test
    void targetsAreJudgedOnTheMedianAndCountTheRoundsThatMeetThem() throws IOException {
        String report = RoundsReport.targetTable(fixture(), RoundsReport.targets(
                "plain weft-epoll/c rate >= 0.95; plain weft-epoll-2/netty-2 rate >= 1.30; pipelined weft-epoll/c rate >= 0.90"));

        assertEquals("| plain: weft-epoll / c rate >= 0.95 | 0.95 / 0.55 / 0.93 | 0.93 | 1 of 3 | **FAIL** |",
                lineStartingWith(report, "| plain: weft-epoll / c"));
        assertEquals("| plain: weft-epoll-2 / netty-2 rate >= 1.30 | 1.50 / 1.60 / 1.40 | 1.50 | 3 of 3 | pass |",
                lineStartingWith(report, "| plain: weft-epoll-2 / netty-2"));
        assertEquals("| pipelined: weft-epoll / c rate >= 0.90 | – | – | 0 of 0 | not measured |",
                lineStartingWith(report, "| pipelined: weft-epoll / c"));
    }

    @Test
    void errorsAreSummedOverTheRounds() throws IOException {
        String report = plainTables();

        assertTrue(lineStartingWith(report, "| netty |").endsWith("| 2 |"), report);
    }
}
