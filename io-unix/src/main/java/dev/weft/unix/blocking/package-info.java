/**
 * Blocking calls kept off the loop thread: {@link dev.weft.unix.blocking.BlockingPool} runs them
 * on a bounded pool and resolves promises on the loop (Lwt_preemptive.detach), and
 * {@link dev.weft.unix.blocking.FileFlow} streams files and looks up host names on top of it.
 */
package dev.weft.unix.blocking;
