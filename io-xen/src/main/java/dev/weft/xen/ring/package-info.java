/**
 * Shared-memory rings as Xen's {@code io/ring.h} defines them: the request/response ring with its
 * front and back halves ({@link dev.weft.xen.ring.SharedRing}), a promise-level client and server
 * over it, and the byte pipes of the console and xenstore pages ({@link dev.weft.xen.ring.BytePipe}).
 * Everything read from shared memory is untrusted: read once, validate, then use.
 */
package dev.weft.xen.ring;
