package dev.weft.xen.bus;

import dev.weft.promise.Promise;

/**
 * A driver that does what real ones do with xenstore, minus the rings: the frontend publishes a
 * ring reference, the backend reads it. It counts its calls.
 */
final class CountingDriver implements XenbusDriver {
    final boolean frontend;
    int connects;
    int disconnects;
    String ringRefSeen;

    CountingDriver(boolean frontend) {
        this.frontend = frontend;
    }

    @Override
    public Promise<Void> connect(XenbusEnd end) {
        connects++;
        if (frontend) {
            return end.store().write(end.path() + "/ring-ref", Integer.toString(100 + connects));
        }
        return end.store().read(end.otherPath() + "/ring-ref").map(ref -> {
            ringRefSeen = ref;
            return null;
        });
    }

    @Override
    public Promise<Void> disconnect(XenbusEnd end) {
        disconnects++;
        return Promise.unit();
    }
}
