/** The Unix backend: epoll and NIO engines, TCP/UDP/Unix sockets as flows, signals, detach. */
package dev.weft.unix;
