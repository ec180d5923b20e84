package dev.weft.samples;

/** Placeholder demo: replaced once the promise core lands. */
public final class Demo {
    private Demo() {}

    /**
     * Prints a greeting.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        System.out.println("Weft demo: the promise core is not built yet.");
    }
}
