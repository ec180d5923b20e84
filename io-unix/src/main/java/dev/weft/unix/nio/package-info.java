/**
 * The portable engine: {@link dev.weft.unix.nio.NioEngine} multiplexes
 * {@link java.nio.channels.SelectableChannel}s through a {@link java.nio.channels.Selector}, for
 * hosts without epoll. The only package in Weft that may use a Selector.
 */
package dev.weft.unix.nio;
