package dev.weft.promise;

/** Placeholder: replaced by the promise core. */
public final class LoopHooks {
    private LoopHooks() {}
}
