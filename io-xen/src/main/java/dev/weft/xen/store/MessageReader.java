package dev.weft.xen.store;

import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Cuts a byte stream into {@link Message}s: bytes go in as they arrive from a transport, in
 * pieces of any size, and each complete message comes out once. Used by both the client and
 * the model daemon.
 *
 * <p><b>Threading: confined to one thread</b> (the loop of the connection it reads).
 *
 * <p>The header is untrusted. Its length is checked against {@link Message#PAYLOAD_MAX} as soon
 * as the 16 header bytes are in, before anything is allocated for the payload: a larger claim is
 * a {@link XenStoreProtocolException}, after which the reader is broken and refuses more input
 * (a byte stream that lost its framing cannot be resynchronised). So the most a reader ever
 * holds is one header buffer and one payload of at most 4096 bytes.
 */
public final class MessageReader {
    private final byte[] header = new byte[Message.HEADER_SIZE];
    private int headerFill;
    private byte[] payload;
    private int payloadFill;
    private int type;
    private int requestId;
    private int transactionId;
    private XenStoreProtocolException broken;

    /** A reader waiting for the first header byte. */
    public MessageReader() {}

    /**
     * Consumes all of {@code bytes}, handing each message completed to {@code sink} in order.
     *
     * @throws XenStoreProtocolException if a header claims a payload larger than {@link
     *     Message#PAYLOAD_MAX}, or this reader already failed; messages completed before the bad
     *     header have been handed to {@code sink}
     */
    public void feed(MemorySegment bytes, Consumer<? super Message> sink) {
        if (broken != null) {
            throw broken;
        }
        long size = bytes.byteSize();
        long at = 0;
        while (at < size) {
            if (payload == null) {
                int take = (int) Math.min(Message.HEADER_SIZE - headerFill, size - at);
                MemorySegment.copy(bytes, ValueLayout.JAVA_BYTE, at, header, headerFill, take);
                headerFill += take;
                at += take;
                if (headerFill == Message.HEADER_SIZE) {
                    startPayload();
                }
            } else {
                int take = (int) Math.min(payload.length - payloadFill, size - at);
                MemorySegment.copy(bytes, ValueLayout.JAVA_BYTE, at, payload, payloadFill, take);
                payloadFill += take;
                at += take;
            }
            if (payload != null && payloadFill == payload.length) {
                Message message = new Message(type, requestId, transactionId, payload);
                payload = null;
                headerFill = 0;
                sink.accept(message);
            }
        }
    }

    /**
     * Reads {@code flow} until its end, feeding every chunk to this reader and every message to
     * {@code sink}; stops early, without reading further, once {@code stopped} is true (checked
     * before each read). Fulfilled at the end of the stream or on stopping ({@link #inMessage()}
     * tells whether the stream ended inside a message); rejected with the flow's failure or with
     * the {@link XenStoreProtocolException} that broke the framing. A tail call: constant memory.
     */
    public Promise<Void> readFrom(Flow flow, Consumer<? super Message> sink, BooleanSupplier stopped) {
        if (stopped.getAsBoolean()) {
            return Promise.unit();
        }
        return flow.read().flatMap(read -> switch (read) {
            case Flow.Data(var bytes) -> {
                feed(bytes, sink);
                yield readFrom(flow, sink, stopped);
            }
            case Flow.EndOfStream end -> Promise.unit();
        });
    }

    /** Whether a message has been started but not completed (bytes are buffered). */
    public boolean inMessage() {
        return headerFill > 0;
    }

    private void startPayload() {
        type = Message.getU32(header, 0);
        requestId = Message.getU32(header, 4);
        transactionId = Message.getU32(header, 8);
        int length = Message.getU32(header, 12);
        // Unsigned compare: a u32 of 2^31 or more is negative as an int and just as invalid.
        if (Integer.compareUnsigned(length, Message.PAYLOAD_MAX) > 0) {
            broken = new XenStoreProtocolException("header of " + Message.describe(type) + " (req_id "
                    + Integer.toUnsignedString(requestId) + ") claims a payload of " + Integer.toUnsignedString(length)
                    + " bytes, more than XENSTORE_PAYLOAD_MAX (" + Message.PAYLOAD_MAX + "): the stream is unusable");
            throw broken;
        }
        payload = new byte[length];
        payloadFill = 0;
    }
}
