package dev.weft.xen.ring;

import java.lang.foreign.MemorySegment;

/**
 * How one kind of ring's requests and responses sit in its fixed-size entries (the C structs a
 * {@code DEFINE_RING_TYPES} names): the front writes requests and reads responses, the back reads
 * requests and writes responses. Each entry carries an id that the back echoes in its response,
 * so responses may come back in any order; the ring chooses the ids (small non-negative numbers
 * below the ring's size) and the codec only stores and loads them, in whatever width its struct
 * has.
 *
 * <p>Reads get a <em>private copy</em> of the entry, taken once out of shared memory: the codec
 * validates what it reads and throws (any runtime exception) if the bytes make no sense, which
 * breaks the ring with {@link RingBroken.Reason#MALFORMED_ENTRY}. The copy is reused for the next
 * entry, so a codec must not keep it. Writes get the entry in shared memory itself.
 *
 * <p><b>Threading: called on the loop thread of the ring's end.</b> Implementations are usually
 * stateless.
 *
 * @param <Req> the request value
 * @param <Rsp> the response value
 */
public interface RingCodec<Req, Rsp> {

    /** Bytes per entry: the larger of the request and the response struct (their C union). */
    int entrySize();

    /** Writes {@code request} with {@code id} into {@code slot} ({@link #entrySize()} bytes). */
    void writeRequest(long id, Req request, MemorySegment slot);

    /** The id of the request in {@code copy}. */
    long requestId(MemorySegment copy);

    /** The request in {@code copy}; throws if its fields are out of range. */
    Req readRequest(MemorySegment copy);

    /** Writes {@code response} with {@code id} into {@code slot} ({@link #entrySize()} bytes). */
    void writeResponse(long id, Rsp response, MemorySegment slot);

    /** The id of the response in {@code copy}. */
    long responseId(MemorySegment copy);

    /** The response in {@code copy}; throws if its fields are out of range. */
    Rsp readResponse(MemorySegment copy);

    /**
     * Whether the slot after the one in {@code copy} belongs to it rather than being a response of
     * its own (netif's extra-info slots, which follow a response and carry no id). Asked of every
     * response ({@code following} false) and of every such slot ({@code following} true), so a
     * chain of them is followed to its end. Each following slot still used up one request: the one
     * sent in its own ring position. False by default: every slot is a response.
     */
    default boolean nextSlotFollows(MemorySegment copy, boolean following) {
        return false;
    }

    /**
     * The value a following slot (see {@link #nextSlotFollows}) in {@code copy} fulfils the request
     * of its ring position with. Never called unless {@link #nextSlotFollows} can return true.
     */
    default Rsp readFollowing(MemorySegment copy) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no following slots");
    }
}
