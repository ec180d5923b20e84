package dev.weft.unix.net;

import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;

/**
 * A datagram {@link UdpSocket#receive()} took in. The record is immutable; the bytes are lent.
 *
 * @param bytes the datagram (truncated to the read buffer's size), a slice of the socket's read
 *     buffer, lent until the next {@code receive()} or {@code close()}
 * @param sender who sent it
 */
public record Received(MemorySegment bytes, SocketAddress sender) {}
