/**
 * Weft's benchmarks: JMH benchmarks that measure Weft beside its peers (CompletableFuture, Reactor,
 * Netty) in the same run, the peer servers the load harness drives, and the harness's own load tools.
 * Nothing here is API; run it through {@code ./weft bench}.
 */
// JMH and Reactor ship as automatic modules; that is their packaging, not a choice made here.
@SuppressWarnings("requires-automatic")
module dev.weft.bench {
    requires dev.weft.promise;
    requires dev.weft.loop;
    requires dev.weft.unix;
    requires dev.weft.xen;
    requires dev.weft.samples;
    requires java.management; // ThreadCpuProfiler and PauseCpu read threads' CPU time
    requires jmh.core;
    requires reactor.core;
    requires io.netty.common;
    requires io.netty.buffer;
    requires io.netty.transport;
    requires io.netty.transport.classes.epoll;
    requires io.netty.codec.http;
}
