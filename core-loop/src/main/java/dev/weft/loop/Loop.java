package dev.weft.loop;

/** Placeholder: the event loop arrives with its issue. */
public final class Loop {
    private Loop() {}
}
