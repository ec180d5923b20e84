/**
 * Non-blocking sockets over raw file descriptors: {@link dev.weft.unix.socket.NativeSocket}
 * (TCP, UDP and Unix domain, IPv4 and IPv6), the layer below Weft's socket flows.
 */
package dev.weft.unix.socket;
