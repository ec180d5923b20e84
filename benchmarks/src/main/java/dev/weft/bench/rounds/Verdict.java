package dev.weft.bench.rounds;

/** What a series of per-round ratios shows about the two servers it compares. */
enum Verdict {
    /** Every round's ratio is above 1.0. */
    ABOVE_IN_EVERY_ROUND("above 1.0 in every round"),
    /** Every round's ratio is below 1.0. */
    BELOW_IN_EVERY_ROUND("below 1.0 in every round"),
    /** The rounds lie on both sides of 1.0 (or one is exactly 1.0): the run shows no difference. */
    NO_DIFFERENCE_SHOWN("no difference shown"),
    /** No round measured both servers. */
    NOT_MEASURED("not measured");

    private final String text;

    Verdict(String text) {
        this.text = text;
    }

    /** The verdict as the report prints it. */
    String text() {
        return text;
    }

    /** The verdict on {@code ratios}, a series of per-round ratios. */
    static Verdict of(Spread ratios) {
        if (ratios.isEmpty()) {
            return NOT_MEASURED;
        }
        if (ratios.straddles(1.0)) {
            return NO_DIFFERENCE_SHOWN;
        }
        return ratios.min() > 1.0 ? ABOVE_IN_EVERY_ROUND : BELOW_IN_EVERY_ROUND;
    }
}
