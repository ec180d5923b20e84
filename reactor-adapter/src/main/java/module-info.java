/** Bridges between Weft promises and Project Reactor's Mono and Flux. */
// Reactor and Reactive Streams ship as automatic modules; their types are in this module's API,
// so the dependencies must be transitive despite the warning.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.weft.reactor {
    requires transitive dev.weft.loop;
    requires transitive reactor.core;
    requires transitive org.reactivestreams;
    exports dev.weft.reactor;
}
