package dev.weft.xen.store;

/**
 * A watch fired: {@code path} (the node that changed, or the watched path itself, or a special
 * path) and the watch's {@code token}. A notification is a hint: the daemon fires once when the
 * watch is registered and may fire when nothing changed, so a reader re-reads what it cares
 * about instead of trusting the event. Immutable.
 *
 * @param path the path the daemon reported
 * @param token the token the watch was registered with
 */
public record WatchEvent(String path, String token) {}
