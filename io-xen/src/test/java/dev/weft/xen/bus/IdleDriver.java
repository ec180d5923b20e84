package dev.weft.xen.bus;

import dev.weft.promise.Promise;

/**
 * A driver whose hooks do nothing: a backend that goes through InitWait and Connected without
 * reading or mapping anything the frontend published, for tests of how a frontend treats the
 * backend's own nodes.
 */
public final class IdleDriver implements XenbusDriver {
    /** A driver that does nothing at connect or disconnect. */
    public IdleDriver() {}

    @Override
    public Promise<Void> connect(XenbusEnd end) {
        return Promise.unit();
    }

    @Override
    public Promise<Void> disconnect(XenbusEnd end) {
        return Promise.unit();
    }
}
