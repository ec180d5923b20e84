package dev.weft.xen.store;

import dev.weft.promise.Promise;
import dev.weft.promise.Stream;

/**
 * A registered watch: its events as a stream, and the way to remove it.
 *
 * <p><b>Threading: LOOP THREAD ONLY.</b>
 *
 * <p>The stream gets one event when the watch is registered, one (at least) per change of the
 * watched path or anything under it, and possibly spurious ones: treat an event as "go and
 * look". It ends when the watch is removed ({@link #unwatch()}, {@code XS_RESET_WATCHES}) or the
 * connection closes or breaks. Events are buffered until read: read them.
 */
public final class Watch {
    private final XenStore client;
    private final String path;
    private final String token;
    private final Stream<WatchEvent> events;

    Watch(XenStore client, String path, String token, Stream<WatchEvent> events) {
        this.client = client;
        this.path = path;
        this.token = token;
        this.events = events;
    }

    /** The path as sent to the daemon (absolute if the client has a home path). */
    public String path() {
        return path;
    }

    /** The token that identifies this watch on its connection. */
    public String token() {
        return token;
    }

    /** The watch's events, in the order the daemon sent them. */
    public Stream<WatchEvent> events() {
        return events;
    }

    /**
     * Removes the watch (XS_UNWATCH): the stream ends at once, events still in flight are
     * dropped. Fulfilled when the daemon acknowledged.
     */
    public Promise<Void> unwatch() {
        return client.unwatch(this);
    }

    @Override
    public String toString() {
        return "Watch[" + path + ", token " + token + "]";
    }
}
