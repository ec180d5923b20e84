package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.weft.loop.Loop;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Slf4jLogging: a record Weft logs through System.Logger arrives at Logback, through SLF4J. */
class Slf4jLoggingTest {

    private final ListAppender<ILoggingEvent> received = new ListAppender<>();
    private Logger weft;

    @BeforeEach
    void listenOnLogbacksSide() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        weft = context.getLogger("dev.weft");
        received.setContext(context);
        received.start();
        weft.addAppender(received);
    }

    @AfterEach
    void stopListening() {
        weft.detachAppender(received);
        received.stop();
    }

    @Test
    void theJdksLoggerFinderIsSlf4jsBridge() {
        assertTrue(System.LoggerFinder.getLoggerFinder().getClass().getName().startsWith("org.slf4j."),
                System.LoggerFinder.getLoggerFinder().getClass().getName());
    }

    @Test
    void anAsyncExceptionLoggedByWeftReachesLogbackWithItsLevelLoggerAndThrowable() {
        try (Loop loop = Loop.builder().name("logging-test").build()) {
            Slf4jLogging.reportAFailedTask(loop);
        }

        List<ILoggingEvent> events = received.list.stream().filter(e -> e.getLoggerName().equals("dev.weft.promise")).toList();
        assertEquals(1, events.size(), received.list::toString);
        ILoggingEvent event = events.getFirst();
        assertEquals(Level.ERROR, event.getLevel());
        assertEquals(IllegalStateException.class.getName(), event.getThrowableProxy().getClassName());
        assertEquals("a task failed on logging-test", event.getThrowableProxy().getMessage());
    }
}
