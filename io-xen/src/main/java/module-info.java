/** The Xen backend: event channels, grant tables, shared rings, xenstore and the PV devices. */
module dev.weft.xen {
    requires transitive dev.weft.loop;
    // transitive: the Linux devices take io-unix's Sockets and throw its ErrnoException
    requires transitive dev.weft.unix;
    // the platform seam: one domain's devices, Linux's or the model's
    exports dev.weft.xen;
    // event-channel device SPI, the Xen engine, activations
    exports dev.weft.xen.evtchn;
    // grant references, sharing and mapping pages
    exports dev.weft.xen.grant;
    // Linux's /dev/xen devices through java.lang.foreign, and xenstore's socket and xenbus flows
    exports dev.weft.xen.linux;
    // shared rings (ring.h request/response rings, console and xenstore byte pipes)
    exports dev.weft.xen.ring;
    // the xenstore wire protocol (xs_wire.h) and the client: requests, watches, transactions
    exports dev.weft.xen.store;
    // xenbus: device states and the frontend/backend handshake over xenstore
    exports dev.weft.xen.bus;
    // blkfront (Block over a vbd) and a software blkback
    exports dev.weft.xen.blk;
    // netfront (Network over a vif) and a software netback
    exports dev.weft.xen.net;
    // the PV console frontend (a Console) over the console ring page, and a model backend
    exports dev.weft.xen.console;
    // the domain's lifecycle: control/shutdown requests as a promise
    exports dev.weft.xen.lifecycle;
    // vchan: libxenvchan-compatible byte streams between domains (a Flow)
    exports dev.weft.xen.vchan;
    // the software model of the hypervisor: domains, event channels, grants, the xenstore daemon
    exports dev.weft.xen.sim;
}
