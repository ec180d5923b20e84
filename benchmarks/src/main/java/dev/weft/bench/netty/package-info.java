/**
 * The Netty peer servers the load harness measures Weft against: an HTTP hello server and a TCP echo
 * server, each on Netty's native epoll transport with ONE event loop (Weft runs one loop thread), bound
 * to loopback. Peer code, kept as plain as Netty's own examples so that it measures Netty, not us.
 */
package dev.weft.bench.netty;
