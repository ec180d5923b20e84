/** Off-heap I/O buffers: {@link dev.weft.unix.buffer.BufferPool} of fixed-size MemorySegment slabs. */
package dev.weft.unix.buffer;
