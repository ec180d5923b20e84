package dev.weft.xen.vchan;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.unix.EngineKind;
import dev.weft.unix.Engines;
import dev.weft.unix.net.Sockets;
import dev.weft.xen.evtchn.EventChannels;
import dev.weft.xen.linux.LinuxXenPlatform;
import dev.weft.xen.linux.XenStoreFlows;
import dev.weft.xen.store.XenStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * What the real-Xen vchan tests stand on in dom0: one epoll loop serving Unix sockets and this
 * domain's event channels, the Linux Xen devices, and a xenstore client over xenstored's socket.
 * Test thread only (the loop runs while the test waits on it); {@link #close()} releases it all.
 */
final class Dom0Loop implements AutoCloseable {
    final Loop loop;
    final Sockets sockets;
    final LinuxXenPlatform platform;
    /** This domain's event channels, counting the operations a transfer costs ({@link TransferCost}). */
    final TransferCost.Counting device;
    final EventChannels channels;
    final XenStore store;
    private final Duration patience;

    Dom0Loop(String name, Duration patience) throws IOException {
        this.patience = patience;
        Engine engine = Engines.open(EngineKind.EPOLL);
        loop = Loop.builder().name(name).engine(engine).build();
        sockets = Sockets.on(loop, engine);
        platform = LinuxXenPlatform.open();
        device = new TransferCost.Counting(platform.openEventChannels());
        channels = EventChannels.on(loop, device);
        store = XenStore.over(run(XenStoreFlows.connectSocket(sockets, patience)), loop);
    }

    /** Runs the loop until {@code promise} settles, at most the patience given at construction. */
    <T> T run(Promise<T> promise) {
        return loop.run(loop.withTimeout(patience, promise));
    }

    @Override
    public void close() {
        run(store.close());
        channels.close();
        loop.close();
        device.close();
    }

    /** This process's open fds, each as "fd -> what it is", so that a leak names itself. */
    static Set<String> openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            Set<String> open = new TreeSet<>();
            for (Path fd : fds.toList()) {
                try {
                    open.add(fd.getFileName() + " -> " + Files.readSymbolicLink(fd));
                } catch (IOException gone) {
                    // The fd of the listing itself, closed by now.
                }
            }
            return open;
        }
    }
}
