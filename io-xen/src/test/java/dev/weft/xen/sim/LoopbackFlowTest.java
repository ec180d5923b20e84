package dev.weft.xen.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.weft.loop.Loop;
import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The in-memory byte stream the model daemon's connections use. */
class LoopbackFlowTest {
    private final Loop loop = Loop.create();
    private final LoopbackFlow[] ends = LoopbackFlow.pair(loop, loop);

    @AfterEach
    void close() {
        loop.run(ends[0].close().flatMap(v -> ends[1].close()));
        loop.run(Promise.pause());
        loop.close();
    }

    private static MemorySegment bytes(String text) {
        return MemorySegment.ofArray(text.getBytes());
    }

    private String readText(Flow flow) {
        Flow.Read read = loop.run(flow.read());
        return new String(((Flow.Data) read).bytes().toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void bytesWrittenAtOneEndAreReadAtTheOther() {
        ends[0].write(bytes("hello"));
        assertEquals("hello", readText(ends[1]));
    }

    @Test
    void writesArriveInOrder() {
        ends[0].write(bytes("a"));
        ends[0].writev(List.of(bytes("b"), bytes("c")));
        assertEquals("a", readText(ends[1]));
        assertEquals("bc", readText(ends[1]));
    }

    @Test
    void shuttingDownWritingEndsThePeersStream() {
        ends[0].shutdown(Flow.Direction.WRITE);
        assertEquals(Flow.END_OF_STREAM, loop.run(ends[1].read()));
    }

    @Test
    void closingFailsThePendingRead() {
        Promise<Flow.Read> read = ends[0].read();
        ends[0].close();
        assertInstanceOf(ClosedChannelException.class, read.failure());
    }

    @Test
    void aWriteAfterCloseIsRefused() {
        ends[0].close();
        assertInstanceOf(ClosedChannelException.class, ends[0].write(bytes("x")).failure());
    }
}
