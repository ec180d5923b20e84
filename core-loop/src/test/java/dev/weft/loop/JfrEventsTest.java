package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.Promise;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

/** The loop's JFR events appear in a recording with the fields of what the loop did. */
class JfrEventsTest {

    @Test
    void eachIterationIsAnEventWithItsStepsCounts() throws IOException {
        ScriptedEngine engine = new ScriptedEngine();
        List<RecordedEvent> events;
        try (Recording recording = new Recording();
                Loop loop = Loop.builder().name("jfr-iterations").engine(engine).clock(new ManualClock()).build()) {
            recording.enable("dev.weft.loop.Iteration").withThreshold(Duration.ZERO);
            recording.start();
            Promise.pause().flatMap(v -> Promise.pause()).flatMap(v -> Promise.pause());
            loop.runOnce(0); // three pause rounds, nothing else
            loop.register(3, Engine.READABLE, ready -> {});
            engine.makeReady(3, Engine.READABLE);
            loop.execute(() -> {});
            loop.sleep(Duration.ZERO);
            loop.runOnce(0); // one task, one timer, one readiness callback
            recording.stop();
            events = read(recording, "dev.weft.loop.Iteration", "jfr-iterations");
        }

        assertEquals(2, events.size(), events.toString());
        RecordedEvent pauses = events.get(0);
        assertEquals(3, pauses.getInt("pauseRounds"));
        assertEquals(3, pauses.getInt("pausedWoken"));
        assertEquals(0, pauses.getInt("inboxTasks"));
        assertEquals(0L, pauses.getLong("pollTimeout"));
        RecordedEvent work = events.get(1);
        assertEquals(0, work.getInt("pauseRounds"));
        assertEquals(1, work.getInt("inboxTasks"));
        assertEquals(1, work.getInt("timersFired"));
        assertEquals(1, work.getInt("readinessCallbacks"));
    }

    @Test
    void anIterationEventIsMadeOnlyWhileARecordingHasItEnabled() {
        assertNull(IterationEvent.beginIfEnabled(), "made with no recording running");
        try (Recording recording = new Recording()) {
            recording.disable("dev.weft.loop.Iteration");
            recording.start();
            assertNull(IterationEvent.beginIfEnabled(), "made while the running recording has it disabled");
        }
        try (Recording recording = new Recording()) {
            recording.enable("dev.weft.loop.Iteration");
            recording.start();
            assertNotNull(IterationEvent.beginIfEnabled(), "not made while a recording has it enabled");
        }
        assertNull(IterationEvent.beginIfEnabled(), "still made after the recording closed");
    }

    @Test
    void aWatchdogReportIsABlockedCallbackEventWithTheLoopStack() throws IOException, InterruptedException {
        CountDownLatch reported = new CountDownLatch(1);
        List<RecordedEvent> events;
        try (Recording recording = new Recording()) {
            recording.enable("dev.weft.loop.BlockedCallback");
            recording.start();
            Loop loop = Loop.builder().name("jfr-watched")
                    .watchdog(Duration.ofMillis(20), blocked -> reported.countDown()).build();
            loop.start();
            CountDownLatch release = new CountDownLatch(1);
            loop.execute(() -> WatchdogTest.blockingCallback(release));
            boolean warned = reported.await(30, TimeUnit.SECONDS);
            release.countDown();
            loop.close();
            recording.stop();
            assertTrue(warned, "no watchdog report");
            events = read(recording, "dev.weft.loop.BlockedCallback", "jfr-watched");
        }

        assertEquals(1, events.size(), events.toString());
        RecordedEvent event = events.get(0);
        assertTrue(event.getLong("runningFor") >= 20_000_000L, event.toString());
        assertEquals(20_000_000L, event.getLong("threshold"));
        assertEquals("jfr-watched", event.getThread("loopThread").getJavaName());
        assertTrue(event.getString("loopStack").contains("blockingCallback"), event.getString("loopStack"));
    }

    private static List<RecordedEvent> read(Recording recording, String eventName, String loopName) throws IOException {
        Path file = Files.createTempFile("weft-jfr", ".jfr");
        try {
            recording.dump(file);
            return RecordingFile.readAllEvents(file).stream()
                    .filter(e -> e.getEventType().getName().equals(eventName))
                    .filter(e -> loopName.equals(e.getString("loop")))
                    .toList();
        } finally {
            Files.delete(file);
        }
    }
}
