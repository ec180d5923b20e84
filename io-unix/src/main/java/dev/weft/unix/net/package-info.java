/**
 * Sockets as promises on a Weft loop: {@link dev.weft.unix.net.Sockets} makes
 * {@link dev.weft.unix.net.TcpListener}s, connected {@link dev.weft.unix.net.SocketFlow}s (TCP
 * and Unix stream sockets, implementing {@link dev.weft.loop.device.Flow}) and
 * {@link dev.weft.unix.net.UdpSocket}s, on the epoll engine (native fds) or the NIO engine
 * (channels) alike.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b> for every type here. <b>Buffers:</b> data a read hands
 * out is lent until the next read or close; a segment given to a write must not change until the
 * write's promise resolves. <b>Failures</b> reject promises with
 * {@link dev.weft.unix.ErrnoException}/{@link dev.weft.unix.ConnectionException}, or
 * {@link dev.weft.unix.net.SocketClosedException} for use after close.
 */
package dev.weft.unix.net;
