package dev.weft.xen.ring;

import java.lang.foreign.MemorySegment;

/**
 * The xenstore ring page, Xen's {@code struct xenstore_domain_interface} (xs_wire.h, Xen 4.17):
 * {@code req[1024]} (client to daemon), {@code rsp[1024]} (replies and watch events), the u32
 * indices {@code req_cons, req_prod, rsp_cons, rsp_prod}, then {@code server_features},
 * {@code connection} and {@code error}. A guest is the client; xenstored is the server.
 *
 * <p><b>Threading: LOOP THREAD ONLY.</b> {@link #client()} and {@link #server()} each attach one
 * end; the two ends run on different threads (or domains). The page starts zeroed.
 */
public final class XenstoreRingPage {
    /** Size of each of the two rings ({@code XENSTORE_RING_SIZE}). */
    public static final int RING_SIZE = 1024;
    /** Offset of {@code req[]}. */
    public static final int REQ = 0;
    /** Offset of {@code rsp[]}. */
    public static final int RSP = 1024;
    /** Offset of {@code req_cons} (written by the server). */
    public static final int REQ_CONS = 2048;
    /** Offset of {@code req_prod} (written by the client). */
    public static final int REQ_PROD = 2052;
    /** Offset of {@code rsp_cons} (written by the client). */
    public static final int RSP_CONS = 2056;
    /** Offset of {@code rsp_prod} (written by the server). */
    public static final int RSP_PROD = 2060;
    /** Offset of {@code server_features}. */
    public static final int SERVER_FEATURES = 2064;
    /** Offset of {@code connection}. */
    public static final int CONNECTION = 2068;
    /** Offset of {@code error}. */
    public static final int ERROR = 2072;
    /** Size of the structure. */
    public static final int BYTES = 2076;

    /** {@code server_features} bit: the ring can be reconnected. */
    public static final int FEATURE_RECONNECTION = 1;
    /** {@code server_features} bit: the {@code error} field is present. */
    public static final int FEATURE_ERROR = 2;
    /** {@code connection}: the steady state. */
    public static final int CONNECTED = 0;
    /** {@code connection}: a reconnect is in progress. */
    public static final int RECONNECT = 1;
    /** {@code error}: no error. */
    public static final int ERROR_NONE = 0;
    /** {@code error}: a communication problem. */
    public static final int ERROR_COMM = 1;
    /** {@code error}: an invalid ring index. */
    public static final int ERROR_RINGIDX = 2;
    /** {@code error}: a protocol violation (payload too long). */
    public static final int ERROR_PROTO = 3;

    private final MemorySegment page;

    private XenstoreRingPage(MemorySegment page) {
        SharedWords.requireLayout(page, BYTES, "xenstore ring page");
        this.page = page;
    }

    /** The page laid over {@code page}, at least {@link #BYTES} long and 4-byte aligned. */
    public static XenstoreRingPage of(MemorySegment page) {
        return new XenstoreRingPage(page);
    }

    /** The client's end (a guest): writes {@code req}, reads {@code rsp}. */
    public BytePipe client() {
        return new BytePipe(rsp(), req());
    }

    /** The server's end (xenstored): reads {@code req}, writes {@code rsp}. */
    public BytePipe server() {
        return new BytePipe(req(), rsp());
    }

    /** {@code server_features} as the server last published it (untrusted by the client). */
    public int serverFeatures() {
        return SharedWords.acquire(page, SERVER_FEATURES);
    }

    /** Publishes {@code server_features} (the server's side). */
    public void setServerFeatures(int features) {
        SharedWords.release(page, SERVER_FEATURES, features);
    }

    /** {@code connection}: {@link #CONNECTED} or {@link #RECONNECT}. */
    public int connection() {
        return SharedWords.acquire(page, CONNECTION);
    }

    /** Publishes {@code connection}. */
    public void setConnection(int connection) {
        SharedWords.release(page, CONNECTION, connection);
    }

    /** {@code error}: one of the {@code ERROR_*} values (untrusted by the client). */
    public int error() {
        return SharedWords.acquire(page, ERROR);
    }

    /** Publishes {@code error} (the server's side, when the client broke the protocol). */
    public void setError(int error) {
        SharedWords.release(page, ERROR, error);
    }

    private ByteRing req() {
        return new ByteRing(page, REQ, RING_SIZE, REQ_CONS, REQ_PROD, "xenstore req ring");
    }

    private ByteRing rsp() {
        return new ByteRing(page, RSP, RING_SIZE, RSP_CONS, RSP_PROD, "xenstore rsp ring");
    }
}
