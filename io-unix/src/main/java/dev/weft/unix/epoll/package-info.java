/**
 * The Linux epoll engine: {@link dev.weft.unix.epoll.EpollEngine} multiplexes file descriptors
 * for a loop through epoll(7), with an eventfd(2) for cross-thread wakeups.
 */
package dev.weft.unix.epoll;
