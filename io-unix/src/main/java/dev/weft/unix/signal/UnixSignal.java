package dev.weft.unix.signal;

/**
 * The POSIX signals a Weft program can wait for with {@link Signals}. Immutable.
 *
 * <p>SIGQUIT (the JVM's thread dump) and SIGUSR2 (used by HotSpot on Linux to suspend threads)
 * are left out on purpose: taking them over would break the JVM.
 */
public enum UnixSignal {
    /** Hang-up; by convention "reload your configuration". */
    HUP,
    /** Interrupt (Ctrl-C). */
    INT,
    /** Termination request (the default of {@code kill}); the signal for graceful shutdown. */
    TERM,
    /** User-defined signal 1. */
    USR1,
    /** Terminal window size changed. */
    WINCH
}
