/**
 * POSIX signals as promises: {@link dev.weft.unix.signal.Signals} resolves a promise on the loop
 * thread when a watched {@link dev.weft.unix.signal.UnixSignal} arrives, for graceful shutdown.
 */
package dev.weft.unix.signal;
