package dev.weft.xen.bus;

import dev.weft.promise.Promise;
import dev.weft.xen.store.Watch;
import dev.weft.xen.store.XenStore;
import java.util.Map;

/**
 * A backend, played by writing xenstore nodes, that connects and then never leaves Connected,
 * whatever its frontend does: a buggy or hostile driver domain that will not close. It writes its
 * {@code nodes} and InitWait, and once the frontend is Initialised, Connected; it maps nothing.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b>, the loop of its xenstore client.
 */
public final class StubbornBackend {
    private final XenStore store;
    private final String path;
    private final String frontendPath;

    private StubbornBackend(XenStore store, String path, String frontendPath) {
        this.store = store;
        this.path = path;
        this.frontendPath = frontendPath;
    }

    /**
     * Starts the backend whose directory is {@code path} (with its {@code frontend} node):
     * fulfilled once it has written {@code nodes} and InitWait and watches the frontend.
     */
    public static Promise<StubbornBackend> start(XenStore store, String path, Map<String, String> nodes) {
        return store.read(path + "/frontend").flatMap(frontend -> {
            StubbornBackend backend = new StubbornBackend(store, path, frontend);
            Promise<Void> written = Promise.unit();
            for (Map.Entry<String, String> node : nodes.entrySet()) {
                written = written.flatMap(v -> store.write(path + "/" + node.getKey(), node.getValue()));
            }
            return written.flatMap(v -> store.write(path + "/state", XenbusState.INIT_WAIT.toStoreValue()))
                    .flatMap(v -> store.watch(frontend + "/state"))
                    .map(watch -> {
                        Promise.async(() -> backend.follow(watch));
                        return backend;
                    });
        });
    }

    /** Moves to Connected when the frontend is Initialised; after that ignores it for good. */
    private Promise<Void> follow(Watch watch) {
        return watch.events().get().flatMap(event -> {
            if (event.isEmpty()) {
                return Promise.unit();
            }
            return XenbusNodes.readOptional(store, frontendPath + "/state", "0").flatMap(state -> {
                if (!state.equals(XenbusState.INITIALISED.toStoreValue())) {
                    return follow(watch);
                }
                return store.write(path + "/state", XenbusState.CONNECTED.toStoreValue()).flatMap(v -> watch.unwatch());
            });
        });
    }
}
