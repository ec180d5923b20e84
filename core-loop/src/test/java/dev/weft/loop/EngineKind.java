package dev.weft.loop;

/** The two engines core-loop ships; promise and timer tests run on both. */
enum EngineKind {
    /** PureEngine on the system clock: real time passes. */
    PURE {
        @Override
        Loop newLoop() {
            return Loop.builder().name("pure-loop").build();
        }
    },
    /** VirtualTimeEngine: time jumps to the next timer. */
    VIRTUAL {
        @Override
        Loop newLoop() {
            return Loop.builder().name("virtual-loop").virtualTime().build();
        }
    };

    abstract Loop newLoop();
}
