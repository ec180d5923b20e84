package dev.weft.xen.evtchn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.promise.Promise;
import dev.weft.xen.grant.EndAccess;
import dev.weft.xen.grant.GrantAllocator;
import dev.weft.xen.grant.GrantMapper;
import dev.weft.xen.grant.MappedPages;
import dev.weft.xen.grant.SharedPages;
import dev.weft.xen.sim.Fds;
import dev.weft.xen.sim.SimHypervisor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two domains, two loops, two threads, sharing only a granted page and an event channel: a
 * frontend writes a request number and notifies, a backend waits with {@code after}, answers and
 * notifies back, for many rounds. A lost wakeup on either side stops the exchange and fails the
 * test by its timeout.
 */
class ActivationsAcrossThreadsTest {
    private static final int ROUNDS = 10_000;
    /** Page offsets: the request number the frontend wrote, the answer the backend wrote. */
    private static final long REQUEST = 0;
    private static final long ANSWER = 8;
    /** Release/acquire access to a long of the page: the publication a ring's producer index gets. */
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void everyRequestIsAnsweredWithoutALostWakeup(EngineKind kind) {
        long fdsBefore = Fds.open();
        SimHypervisor xen = new SimHypervisor();
        try (DomainLoop front = new DomainLoop(xen.createDomain(), kind, "front");
                DomainLoop back = new DomainLoop(xen.createDomain(), kind, "back")) {
            GrantAllocator allocator = front.domain.openGrantAllocator();
            GrantMapper mapper = back.domain.openGrantMapper();
            SharedPages shared = front.call(() -> allocator.share(back.domain.domainId(), 1, true));
            MappedPages mapped = back.call(() -> mapper.map(front.domain.domainId(), shared.refs(), true));
            int frontPort = front.call(() -> front.channels.bindUnbound(back.domain.domainId()));
            int backPort = back.call(() -> back.channels.bindInterdomain(front.domain.domainId(), frontPort));

            Promise<Long> served = back.call(() -> serve(back.channels, backPort, mapped.memory(), 0, 0));
            long answered = front.await(() -> request(front.channels, frontPort, shared.memory(), 1, 0));
            long lastServed = back.await(() -> served);

            assertEquals(ROUNDS, answered);
            assertEquals(ROUNDS, lastServed);
            back.call(() -> {
                mapped.close();
                return null;
            });
            assertEquals(EndAccess.ENDED, front.call(shared::end));
            allocator.close();
            mapper.close();
        }
        assertEquals(fdsBefore, Fds.open(), "every eventfd and epoll fd was closed");
    }

    /** Frontend: publish request {@code n}, notify, wait for its answer; then the next. */
    private static Promise<Long> request(EventChannels channels, int port, MemorySegment page, long n, long seen) {
        if (n > ROUNDS) {
            return Promise.of((long) LONG.getAcquire(page, ANSWER));
        }
        LONG.setRelease(page, REQUEST, n);
        channels.notify(port);
        return awaitAnswer(channels, port, page, n, seen);
    }

    private static Promise<Long> awaitAnswer(EventChannels channels, int port, MemorySegment page, long n, long seen) {
        return channels.after(port, seen).flatMap(now -> (long) LONG.getAcquire(page, ANSWER) == n
                ? request(channels, port, page, n + 1, now)
                : awaitAnswer(channels, port, page, n, now));
    }

    /** Backend: on each event, answer the newest request if it is new; stop after the last. */
    private static Promise<Long> serve(EventChannels channels, int port, MemorySegment page, long served, long seen) {
        return channels.after(port, seen).flatMap(now -> {
            long request = (long) LONG.getAcquire(page, REQUEST);
            long answered = served;
            if (request > served) {
                LONG.setRelease(page, ANSWER, request);
                channels.notify(port);
                answered = request;
            }
            return answered == ROUNDS ? Promise.of(answered) : serve(channels, port, page, answered, now);
        });
    }
}
