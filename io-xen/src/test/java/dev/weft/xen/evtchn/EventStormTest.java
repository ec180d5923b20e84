package dev.weft.xen.evtchn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import dev.weft.xen.sim.Fds;
import dev.weft.xen.sim.SimDomain;
import dev.weft.xen.sim.SimHypervisor;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A peer notifying in a tight loop while the consumer is slow: the consumer's loop does bounded
 * work per iteration (at most one event per port), stays responsive to timers and other threads,
 * counts events correctly, sees the peer's last write, and leaks nothing.
 */
class EventStormTest {
    /** The storm runs at least this many notifications, and until the loop has proved responsive. */
    private static final int MIN_NOTIFICATIONS = 100_000;

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void aSlowConsumerSurvivesAPeerNotifyingInATightLoop(EngineKind kind) throws Exception {
        long fdsBefore = Fds.open();
        SimHypervisor xen = new SimHypervisor();
        SimDomain peer = xen.createDomain();
        AtomicLong written = new AtomicLong();
        Storm storm;
        try (DomainLoop consumer = new DomainLoop(xen.createDomain(), kind, "consumer");
                var peerDevice = peer.openEventChannels()) {
            int port = consumer.call(() -> consumer.channels.bindUnbound(peer.domainId()));
            int peerPort = peerDevice.bindInterdomain(consumer.domain.domainId(), port);
            Consumer slow = consumer.call(() -> new Consumer(consumer, port, written));
            storm = new Storm(peerDevice, peerPort, written);
            storm.start();
            storm.awaitFirstNotification(); // else the checks below could pass before the storm began

            // Responsive during the storm: a timer fires and a task from this thread runs.
            String slept = consumer.await(() -> consumer.loop.sleep(Duration.ofMillis(5)).map(v -> "slept"));
            String ran = consumer.call(() -> "ran");
            storm.calm(); // only now: the timer and the task above ran while the storm blew
            long last = written.get();
            long seenLast = consumer.await(() -> slow.sees(last));

            assertEquals("slept", slept);
            assertEquals("ran", ran);
            assertEquals(last, seenLast, "the event after the peer's last write was delivered");
            long counter = consumer.call(() -> consumer.channels.counter(port));
            assertTrue(counter >= 1 && counter <= last, "events merge, never multiply: " + counter + " of " + last);
            assertEquals(counter, consumer.call(() -> consumer.channels.events()));
            assertEquals(1, consumer.call(() -> slow.mostEventsInOneIteration),
                    "at most one event per port per iteration");
            consumer.call(() -> {
                slow.stop();
                return null;
            });
            assertEquals(0, consumer.call(() -> consumer.channels.waiters()));
        }
        assertEquals(0, peer.boundPorts());
        assertEquals(fdsBefore, Fds.open());
    }

    /** The peer: writes a sequence number, notifies, repeats, as fast as it can. */
    private static final class Storm extends Thread {
        private final EventChannelDevice device;
        private final int port;
        private final AtomicLong written;
        private final AtomicBoolean stopping = new AtomicBoolean();
        private final CountDownLatch blowing = new CountDownLatch(1);

        Storm(EventChannelDevice device, int port, AtomicLong written) {
            super("storm");
            this.device = device;
            this.port = port;
            this.written = written;
        }

        @Override
        public void run() {
            long n = 0;
            while (n < MIN_NOTIFICATIONS || !stopping.get()) {
                written.set(++n);
                device.notify(port);
                if (n == 1) {
                    blowing.countDown();
                }
            }
        }

        void awaitFirstNotification() throws InterruptedException {
            assertTrue(blowing.await(60, TimeUnit.SECONDS), "the storm thread never started");
        }

        void calm() throws InterruptedException {
            stopping.set(true);
            join();
        }
    }

    /**
     * The slow consumer, on the loop thread: waits with {@code after}, burns some CPU per event,
     * reads the peer's number; watches how many events each iteration brought.
     */
    private static final class Consumer {
        private final DomainLoop on;
        private final int port;
        private final AtomicLong written;
        private final Promise<Void> driver;
        private final Runnable removeEnter;
        private final Runnable removeLeave;
        private long lastRead;
        private long target = -1;
        private Resolver<Long> reached;
        private long counterAtEnter;
        int mostEventsInOneIteration;
        private long burnt;

        Consumer(DomainLoop on, int port, AtomicLong written) {
            this.on = on;
            this.port = port;
            this.written = written;
            this.removeEnter = on.loop.onEnterIteration(() -> counterAtEnter = on.channels.counter(port));
            this.removeLeave = on.loop.onLeaveIteration(() -> mostEventsInOneIteration = Math.max(
                    mostEventsInOneIteration, (int) (on.channels.counter(port) - counterAtEnter)));
            this.driver = consume(EventChannels.PROGRAM_START);
        }

        private Promise<Void> consume(long seen) {
            return on.channels.after(port, seen).flatMap(now -> {
                burnCpu();
                lastRead = written.get();
                if (reached != null && lastRead == target) {
                    reached.resolve(lastRead);
                    reached = null;
                }
                return consume(now);
            });
        }

        /** A promise of the number read once it is {@code value}. */
        Promise<Long> sees(long value) {
            if (lastRead == value) {
                return Promise.of(value);
            }
            target = value;
            reached = Promise.task();
            return reached.promise();
        }

        void stop() {
            driver.cancel();
            removeEnter.run();
            removeLeave.run();
        }

        private void burnCpu() {
            long h = burnt;
            for (int i = 0; i < 5_000; i++) {
                h = h * 31 + i;
            }
            burnt = h;
        }
    }
}
