/**
 * Timeout-0 polls answered without a system call: an io_uring readiness probe on an epoll set and
 * the policy that decides when it may answer, shared by the epoll engine and, on Linux, the NIO
 * engine. Internal to io-unix (not exported). Loop thread only.
 */
package dev.weft.unix.readiness;
