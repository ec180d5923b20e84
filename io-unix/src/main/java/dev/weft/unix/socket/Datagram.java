package dev.weft.unix.socket;

import java.net.SocketAddress;

/**
 * A datagram {@link NativeSocket#receiveFrom} took in: how many bytes it put in the buffer and
 * who sent them. Immutable.
 *
 * @param length bytes written to the buffer (a longer datagram was truncated to the buffer)
 * @param sender the sender's address
 */
public record Datagram(int length, SocketAddress sender) {}
