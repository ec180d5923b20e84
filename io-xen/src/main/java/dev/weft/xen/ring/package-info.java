/**
 * Shared-memory rings as Xen's {@code io/ring.h} defines them: the request/response ring with its
 * front and back halves ({@link dev.weft.xen.ring.SharedRing}, whose class comment explains the
 * indices, the memory ordering and what is trusted), a promise-level client and server over it,
 * the byte pipes of the console and xenstore pages ({@link dev.weft.xen.ring.BytePipe}, which vchan
 * also lays over its own pages), and a {@link dev.weft.loop.device.Flow} over a byte pipe and an
 * event channel with backpressure both ways ({@link dev.weft.xen.ring.PipeFlow}: the console and
 * vchan are this flow with their own notification rules).
 * Everything read from shared memory is untrusted: read once, validate, then use; a peer that
 * breaks the protocol gets a {@link dev.weft.xen.ring.RingBroken}, never an untyped exception.
 *
 * <p>A front end, on its loop, with the page it will grant and the event channel it bound:
 *
 * <pre>{@code
 * SharedRing ring = SharedRing.over(page, codec.entrySize()).initialise(0);
 * RingClient<Request, Response> client =
 *         new RingClient<>(ring.front(), codec, () -> channels.notify(port));
 * client.pollOnEvents(channels, port);          // takes responses whenever the back notifies
 * client.request(read(sector)).map(Response::data)...
 * }</pre>
 *
 * <p>The back end maps the same page and serves it:
 *
 * <pre>{@code
 * SharedRing ring = SharedRing.over(mapped, codec.entrySize());
 * RingServer<Request, Response> server = new RingServer<>(ring.back(), codec, disk::handle,
 *         (request, failure) -> Response.error(request), () -> channels.notify(port));
 * server.pollOnEvents(channels, port);
 * }</pre>
 */
package dev.weft.xen.ring;
