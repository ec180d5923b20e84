/** Runnable programs that show how to use Weft; they use the public API only. */
module dev.weft.samples {
    requires transitive dev.weft.loop;
    requires transitive dev.weft.unix;
    // the echo sample's vchan backends (a real Xen domain, or the hypervisor model)
    requires dev.weft.xen;
    // the Reactor pipeline recipe
    requires dev.weft.reactor;
    exports dev.weft.samples;
    exports dev.weft.samples.embedding;
    exports dev.weft.samples.http;
}
