package dev.weft.xen.fairness;

import dev.weft.promise.Promise;

/**
 * How many reads a flow over a shared ring answers between two turns of the loop. A read that
 * finds bytes in the ring is answered at once, so a reader whose callback reads again runs on for
 * as long as the peer keeps the ring from going empty; after {@link #PER_TURN} such reads the
 * next one waits for a pause round of the loop (not for an event: the peer owes none for bytes
 * already in the ring), so that a peer writing as fast as we read cannot hold the loop while
 * other work waits.
 *
 * <p><b>Threading: LOOP THREAD ONLY</b> (the flow's loop).
 *
 * <p>Not API: its package is not exported; the ring and xenstore flows share it inside io-xen.
 */
public final class ReadTurns {
    /** The most reads answered between two turns of the loop. */
    public static final int PER_TURN = 16;

    private final Runnable onNewTurn;
    /** What the pause round runs: made once, so that waiting for a turn allocates nothing. */
    private final Runnable startTurn = this::startTurn;
    private int reads;
    private boolean awaited;

    /** Counts reads for a flow; {@code onNewTurn} runs the flow again once a pause round starts a turn. */
    public ReadTurns(Runnable onNewTurn) {
        this.onNewTurn = onNewTurn;
    }

    /** Whether this turn's reads are used up (the caller then {@linkplain #awaitNextTurn() waits}). */
    public boolean usedUp() {
        return reads >= PER_TURN;
    }

    /** Counts one read answered in this turn. */
    public void read() {
        reads++;
    }

    /** The loop gave the flow a turn (an event woke it): the count starts again. */
    public void newTurn() {
        reads = 0;
    }

    /** Starts a new turn and runs the flow in the next pause round, once however often asked. */
    public void awaitNextTurn() {
        if (awaited) {
            return;
        }
        awaited = true;
        // Dropped only when the loop closes; the flow then has nothing more to do.
        Promise.pauseThen(startTurn);
    }

    private void startTurn() {
        awaited = false;
        reads = 0;
        onNewTurn.run();
    }
}
