package dev.weft.promise;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Installs an async-exception hook that records what it receives for the length of one test, then
 * restores the default. The hook is global: tests using this run sequentially (JUnit's default).
 */
final class AsyncExceptionRecorder implements BeforeEachCallback, AfterEachCallback {
    private final List<Throwable> received = new ArrayList<>();

    @Override
    public void beforeEach(ExtensionContext context) {
        received.clear();
        LoopHooks.setAsyncExceptionHook(received::add);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        LoopHooks.setAsyncExceptionHook(null);
    }

    /** What the hook received so far, oldest first. */
    List<Throwable> received() {
        return received;
    }
}
