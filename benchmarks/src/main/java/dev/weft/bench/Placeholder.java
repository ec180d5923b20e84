package dev.weft.bench;

/** Placeholder until the first benchmark lands. */
final class Placeholder {
    private Placeholder() {}
}
