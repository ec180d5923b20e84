package dev.weft.xen.evtchn;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.xen.sim.SimDomain;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A test fixture: one model domain running a loop on a thread of its own, with its event channels
 * made on that thread. The test thread reaches it only through {@link #call} and {@link #await}.
 */
final class DomainLoop implements AutoCloseable {
    static final long PATIENCE_SECONDS = 60;

    final SimDomain domain;
    final EventChannelDevice device;
    final Loop loop;
    final EventChannels channels;

    DomainLoop(SimDomain domain, EngineKind kind, String name) {
        this.domain = domain;
        this.device = domain.openEventChannels();
        EngineKind.LoopOn on = kind.build(Loop.builder().name(name), device);
        this.loop = on.loop();
        loop.start();
        this.channels = call(() -> on.channels().apply(loop));
    }

    /** Runs {@code work} on the loop thread and returns its result. */
    <T> T call(Supplier<T> work) {
        return await(() -> Promise.of(work.get()));
    }

    /** Runs {@code work} on the loop thread and waits (bounded) for the promise it returns. */
    <T> T await(Supplier<Promise<T>> work) {
        try {
            return loop.submit(work).get(PATIENCE_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(loop.name() + ": " + e, e);
        }
    }

    @Override
    public void close() {
        call(() -> {
            channels.close();
            return null;
        });
        loop.close();
        device.close();
    }
}
