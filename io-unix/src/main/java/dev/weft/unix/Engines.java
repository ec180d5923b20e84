package dev.weft.unix;

import dev.weft.loop.Engine;
import dev.weft.unix.epoll.EpollEngine;
import dev.weft.unix.nio.NioEngine;
import java.util.Locale;

/**
 * Chooses and opens the engine for this host: epoll on Linux, NIO elsewhere, unless the system
 * property {@value #PROPERTY} ({@code epoll} or {@code nio}) or the caller says otherwise.
 *
 * <p>Stateless, any thread. Each call opens a new engine, owned by the caller, who closes it.
 */
public final class Engines {

    /** The system property that overrides the default choice: {@code epoll} or {@code nio}. */
    public static final String PROPERTY = "weft.engine";

    private Engines() {}

    /**
     * Opens the default engine: the kind {@link #defaultKind()} names.
     *
     * @throws IllegalArgumentException if {@value #PROPERTY} names no engine
     * @throws UnsupportedOperationException if it names epoll on a host without it
     */
    public static Engine defaultEngine() {
        return open(defaultKind());
    }

    /**
     * The engine {@link #defaultEngine()} opens: the one {@value #PROPERTY} names if it is set,
     * otherwise {@link EngineKind#EPOLL} on Linux and {@link EngineKind#NIO} elsewhere.
     *
     * @throws IllegalArgumentException if {@value #PROPERTY} names no engine
     */
    public static EngineKind defaultKind() {
        String chosen = System.getProperty(PROPERTY);
        if (chosen == null || chosen.isBlank()) {
            return epollAvailable() ? EngineKind.EPOLL : EngineKind.NIO;
        }
        return switch (chosen.trim().toLowerCase(Locale.ROOT)) {
            case "epoll" -> EngineKind.EPOLL;
            case "nio" -> EngineKind.NIO;
            default -> throw new IllegalArgumentException(
                    "-D" + PROPERTY + "=" + chosen + " names no engine; use epoll or nio");
        };
    }

    /**
     * Opens an engine of the given kind, whatever the system property says.
     *
     * @throws UnsupportedOperationException if the kind is epoll and this host has none
     */
    public static Engine open(EngineKind kind) {
        return switch (kind) {
            case EPOLL -> {
                if (!epollAvailable()) {
                    throw new UnsupportedOperationException("the epoll engine needs Linux on x86_64, aarch64"
                            + " or riscv64; this is " + System.getProperty("os.name") + " on "
                            + System.getProperty("os.arch") + ". Use -D" + PROPERTY + "=nio");
                }
                yield new EpollEngine();
            }
            case NIO -> new NioEngine();
        };
    }

    /** Whether this host can run the epoll engine: Linux on an architecture whose ABI Weft knows. */
    public static boolean epollAvailable() {
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "");
        return os.equals("Linux")
                && (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64") || arch.equals("riscv64"));
    }
}
