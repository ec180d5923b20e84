package dev.weft.loop;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A test engine with in-memory readiness sources: {@link #makeReady} marks a source ready and the
 * next poll dispatches it. Blocking and waking are the pure engine's.
 */
final class ScriptedEngine implements Engine {

    private final PureEngine blocking = new PureEngine();
    private final Map<Integer, ReadyHandler> handlers = new LinkedHashMap<>();
    private final Map<Integer, Integer> ready = new LinkedHashMap<>();
    boolean closed;
    /** Whether {@link #readinessWaiting()} tells the truth about {@link #makeReady}; else false, as an engine that cannot tell. */
    boolean tellsReadiness;

    void makeReady(int source, int events) {
        ready.merge(source, events, (a, b) -> a | b);
    }

    @Override
    public void register(int source, int interest, ReadyHandler handler) {
        if (handlers.putIfAbsent(source, handler) != null) {
            throw new IllegalStateException("already registered: " + source);
        }
    }

    @Override
    public void modify(int source, int interest) {}

    @Override
    public void unregister(int source) {
        handlers.remove(source);
        ready.remove(source);
    }

    @Override
    public boolean readinessWaiting() {
        return tellsReadiness && !ready.isEmpty();
    }

    @Override
    public int poll(long timeoutNanos) {
        blocking.poll(ready.isEmpty() ? timeoutNanos : 0);
        int called = 0;
        Map<Integer, Integer> now = new LinkedHashMap<>(ready);
        ready.clear();
        for (Map.Entry<Integer, Integer> entry : now.entrySet()) {
            ReadyHandler handler = handlers.get(entry.getKey());
            if (handler != null) {
                called++;
                handler.onReady(entry.getValue());
            }
        }
        return called;
    }

    @Override
    public void wakeup() {
        blocking.wakeup();
    }

    @Override
    public void close() {
        closed = true;
        blocking.close();
    }
}
