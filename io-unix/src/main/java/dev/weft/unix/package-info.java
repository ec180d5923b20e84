/**
 * The Unix backend: engine choice ({@link dev.weft.unix.Engines}) and the errors system calls
 * report ({@link dev.weft.unix.ErrnoException}, {@link dev.weft.unix.Errno}). The engines, sockets
 * and buffers live in sub-packages named for them; applications start at
 * {@link dev.weft.unix.net.Sockets}, {@link dev.weft.unix.signal.Signals} and
 * {@link dev.weft.unix.blocking.BlockingPool}.
 */
package dev.weft.unix;
