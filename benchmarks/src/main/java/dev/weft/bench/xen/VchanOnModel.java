package dev.weft.bench.xen;

import dev.weft.loop.Loop;
import dev.weft.loop.device.Flow;
import dev.weft.xen.sim.SimHost;
import dev.weft.xen.vchan.Vchan;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A vchan between a server domain and a client domain of the hypervisor model, each on a loop of
 * its own thread running a {@code XenEngine}: libxenvchan's protocol over granted pages and one
 * interdomain event channel, as two guests would run it.
 */
final class VchanOnModel extends FlowPair {
    private final SimHost host = new SimHost();
    private final SimHost.Guest serverGuest = host.startGuest("vchan-server");
    private final SimHost.Guest clientGuest = host.startGuest("vchan-client");
    private final int ringBytes;
    private final Vchan server;
    private final Vchan client;

    /** The server publishes a vchan with rings of {@code ringBytes} each way; the client connects. */
    VchanOnModel(int ringBytes) throws Exception {
        this.ringBytes = ringBytes;
        int serverDomain = serverGuest.domain().domainId();
        int clientDomain = clientGuest.domain().domainId();
        String data = "/local/domain/" + serverDomain + "/data";
        host.giveDirectory(data, serverDomain);
        server = serverGuest.submit(() -> Vchan.listen(serverGuest.domain(), serverGuest.channels(),
                serverGuest.store(), clientDomain, data + "/bench", ringBytes, ringBytes)).get(10, TimeUnit.SECONDS);
        client = clientGuest.submit(() -> Vchan.connect(clientGuest.domain(), clientGuest.channels(),
                clientGuest.store(), serverDomain, data + "/bench")).get(10, TimeUnit.SECONDS);
    }

    @Override
    Flow client() {
        return client;
    }

    @Override
    Flow server() {
        return server;
    }

    @Override
    Loop clientLoop() {
        return clientGuest.loop();
    }

    @Override
    Loop serverLoop() {
        return serverGuest.loop();
    }

    @Override
    String name() {
        return "vchan (model, " + ringBytes / 1024 + " KiB rings)";
    }

    /** The server's close completes once the client has unmapped the pages. */
    @Override
    public void close() {
        CompletableFuture<Void> serverClosed = serverGuest.submit(server::close);
        try {
            clientGuest.submit(client::close).get(10, TimeUnit.SECONDS);
            serverClosed.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("closing the vchan: " + e, e);
        } finally {
            host.close();
        }
    }
}
