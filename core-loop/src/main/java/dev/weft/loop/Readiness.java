package dev.weft.loop;

/**
 * The handler the loop registers with its engine in place of the caller's: it runs the caller's
 * handler as a loop callback (counted, watched by the watchdog, exceptions reported).
 *
 * <p><b>Threading: called by the engine on the loop thread only.</b>
 */
record Readiness(Loop loop, Engine.ReadyHandler handler) implements Engine.ReadyHandler {
    @Override
    public void onReady(int readyEvents) {
        loop.dispatch(handler, readyEvents);
    }
}
