/**
 * The Unix backend: engine choice ({@link dev.weft.unix.Engines}) and the errors system calls
 * report ({@link dev.weft.unix.ErrnoException}, {@link dev.weft.unix.Errno}). The engines, sockets
 * and buffers live in sub-packages named for them.
 */
package dev.weft.unix;
