package dev.weft.unix;

/**
 * The engines this module provides. Immutable.
 */
public enum EngineKind {
    /** {@link dev.weft.unix.epoll.EpollEngine}: Linux epoll through java.lang.foreign; sources are fds. */
    EPOLL,
    /**
     * {@link dev.weft.unix.nio.NioEngine}: a java.nio Selector, on any OS; sources are ids of
     * attached channels.
     */
    NIO
}
