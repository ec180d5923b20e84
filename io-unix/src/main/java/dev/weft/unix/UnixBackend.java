package dev.weft.unix;

/** Placeholder: the Unix backend arrives with its issue. */
public final class UnixBackend {
    private UnixBackend() {}
}
