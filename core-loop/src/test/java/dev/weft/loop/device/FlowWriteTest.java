package dev.weft.loop.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.Promise;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Flow's write of a byte[] or a ByteBuffer, which every implementation inherits. */
class FlowWriteTest {

    /** A flow that only records the segments written to it. */
    private static final class RecordingFlow implements Flow {
        final List<MemorySegment> written = new ArrayList<>();

        @Override
        public Promise<Read> read() {
            return Promise.of(END_OF_STREAM);
        }

        @Override
        public Promise<Void> write(MemorySegment bytes) {
            written.add(bytes);
            return Promise.unit();
        }

        @Override
        public Promise<Void> writev(List<MemorySegment> segments) {
            written.addAll(segments);
            return Promise.unit();
        }

        @Override
        public Promise<Void> shutdown(Direction direction) {
            return Promise.unit();
        }

        @Override
        public Promise<Void> close() {
            return Promise.unit();
        }
    }

    private static byte[] bytesOf(MemorySegment segment) {
        return segment.toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void writeOfAnArraySendsAnOffHeapCopyOfItsBytes() {
        RecordingFlow flow = new RecordingFlow();
        byte[] bytes = {1, 2, 3};

        flow.write(bytes);
        bytes[0] = 9; // reused at once: the copy is unaffected

        MemorySegment sent = flow.written.getFirst();
        assertTrue(sent.isNative());
        assertArrayEquals(new byte[] {1, 2, 3}, bytesOf(sent));
    }

    @Test
    void writeOfABufferSendsItsRemainingBytesAndLeavesItsPosition() {
        RecordingFlow flow = new RecordingFlow();
        ByteBuffer buffer = ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5});
        buffer.position(1).limit(4);

        flow.write(buffer);

        MemorySegment sent = flow.written.getFirst();
        assertTrue(sent.isNative());
        assertArrayEquals(new byte[] {2, 3, 4}, bytesOf(sent));
        assertEquals(1, buffer.position());
        assertEquals(4, buffer.limit());
    }

    @Test
    void writeOfADirectBufferSendsACopy() {
        RecordingFlow flow = new RecordingFlow();
        ByteBuffer buffer = ByteBuffer.allocateDirect(2).put(new byte[] {7, 8}).flip();

        flow.write(buffer);
        buffer.put(0, (byte) 0);

        assertArrayEquals(new byte[] {7, 8}, bytesOf(flow.written.getFirst()));
    }
}
