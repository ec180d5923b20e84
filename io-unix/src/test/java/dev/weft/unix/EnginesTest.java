package dev.weft.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.loop.Engine;
import dev.weft.unix.epoll.EpollEngine;
import dev.weft.unix.nio.NioEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EnginesTest {

    @AfterEach
    void clearProperty() {
        System.clearProperty(Engines.PROPERTY);
    }

    @Test
    void linuxDefaultsToEpoll() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Engines.epollAvailable());

        try (Engine engine = Engines.defaultEngine()) {
            assertInstanceOf(EpollEngine.class, engine);
        }
    }

    @Test
    void thePropertyOverridesTheDefault() {
        System.setProperty(Engines.PROPERTY, "nio");

        try (Engine engine = Engines.defaultEngine()) {
            assertInstanceOf(NioEngine.class, engine);
        }
    }

    @Test
    void anUnknownPropertyValueIsRejectedNamingTheChoices() {
        System.setProperty(Engines.PROPERTY, "kqueue");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, Engines::defaultKind);
        assertEquals("-Dweft.engine=kqueue names no engine; use epoll or nio", e.getMessage());
    }

    @Test
    void openIgnoresTheProperty() {
        System.setProperty(Engines.PROPERTY, "epoll");

        try (Engine engine = Engines.open(EngineKind.NIO)) {
            assertInstanceOf(NioEngine.class, engine);
        }
    }
}
