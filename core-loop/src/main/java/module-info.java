/**
 * Weft's event loop: engines, timers, pause, cross-thread entry, embedding, and the
 * backend-neutral device interfaces (the MirageOS signatures).
 */
// Agrona ships as an automatic module; its Agent type is part of this module's embedding API,
// so the dependency must be transitive despite the warning.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.weft.loop {
    requires transitive dev.weft.promise;
    requires org.jctools.core.jdk11;
    requires transitive org.agrona;
    // JFR events (IterationEvent, BlockedCallbackEvent): free while no recording asks for them.
    requires jdk.jfr;
    exports dev.weft.loop;
    exports dev.weft.loop.device;
}
