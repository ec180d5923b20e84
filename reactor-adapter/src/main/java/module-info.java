/** Bridges between Weft promises and Project Reactor's Mono and Flux. */
// Reactor/JMH ship as automatic modules.
@SuppressWarnings("requires-automatic")
module dev.weft.reactor {
    requires transitive dev.weft.loop;
    requires reactor.core;
    // exports dev.weft.reactor once it holds types (its issue has not landed yet)
}
