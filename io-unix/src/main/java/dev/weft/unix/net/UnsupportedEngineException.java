package dev.weft.unix.net;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;

/**
 * Sockets were asked of a loop whose engine cannot watch them: an engine without readiness
 * sources ({@code PureEngine}, {@code VirtualTimeEngine}) or one whose sources are not file
 * descriptors ({@code XenEngine}'s are event-channel ports). Sockets need an {@link
 * dev.weft.unix.epoll.EpollEngine} or a {@link dev.weft.unix.nio.NioEngine}, as {@link
 * dev.weft.unix.Engines#defaultEngine()} opens. Nothing was allocated or registered when it is
 * thrown. Immutable; any thread.
 */
public final class UnsupportedEngineException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** The simple class name of the engine that was refused. */
    private final String engineName;

    UnsupportedEngineException(Loop loop, Engine engine) {
        super("Sockets.on(" + loop.name() + "): the loop runs on " + engine.getClass().getSimpleName()
                + ", which cannot watch sockets; sockets need a loop built on an EpollEngine or a NioEngine:"
                + " Loop.builder().engine(Engines.defaultEngine()).build()"
                + " (on Xen too: an EpollEngine serves sockets and event channels together)");
        this.engineName = engine.getClass().getSimpleName();
    }

    /** The simple class name of the engine that was refused, e.g. {@code "PureEngine"}. */
    public String engineName() {
        return engineName;
    }
}
