/** JMH benchmarks and load harnesses comparing Weft with its peers. */
// Reactor/JMH ship as automatic modules.
@SuppressWarnings("requires-automatic")
module dev.weft.bench {
    requires dev.weft.promise;
    requires jmh.core;
}
