/**
 * Lwt-style promises for Weft: one mutable cell per promise, bind/map/catch, Lwt's cancellation,
 * combinators, and the concurrency library built on them (streams, mailboxes, mutexes, switches).
 * Depends on nothing; the event loop plugs in through {@link dev.weft.promise.LoopHooks}.
 */
module dev.weft.promise {
    exports dev.weft.promise;
}
