/**
 * Internal: the Linux C library through java.lang.foreign, one static method per C function.
 *
 * <p>Not exported. Every binding captures {@code errno} on the same downcall (the JVM may call
 * into libc between two downcalls, so errno read later would be unreliable) and returns the
 * negated errno instead of {@code -1}, the kernel's own convention: hot paths such as a read that
 * would block test {@code r == -EAGAIN} without allocating, and everything else turns the value
 * into an {@link dev.weft.unix.ErrnoException} that names the call.
 */
package dev.weft.unix.libc;
