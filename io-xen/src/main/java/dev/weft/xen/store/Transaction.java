package dev.weft.xen.store;

import dev.weft.promise.Promise;

/**
 * A xenstore transaction as the body of {@link XenStore#transaction} sees it: the node
 * operations of {@link StoreView}, each carrying this transaction's id, so they read a snapshot
 * and their writes take effect together at commit or not at all.
 *
 * <p><b>Threading: LOOP THREAD ONLY.</b> Valid only while the body runs: once the transaction
 * ended (committed or aborted), requests are rejected with {@link IllegalStateException}.
 */
public final class Transaction extends StoreView {
    private final XenStore client;
    private final int id;
    private final int attempt;
    private boolean ended;

    Transaction(XenStore client, int id, int attempt) {
        this.client = client;
        this.id = id;
        this.attempt = attempt;
    }

    /** The transaction id the daemon gave (the tx_id of this transaction's requests). */
    public int id() {
        return id;
    }

    /** Which attempt this is, from 1: the body runs again after each conflict (EAGAIN). */
    public int attempt() {
        return attempt;
    }

    @Override
    XenStore client() {
        return client;
    }

    @Override
    int transactionId() {
        return id;
    }

    @Override
    Promise<Message> call(MessageType type, byte[] payload, String context) {
        if (ended) {
            return Promise.rejected(new IllegalStateException("transaction " + Integer.toUnsignedString(id)
                    + " has ended: use the Transaction only inside the body, before its promise resolves"));
        }
        return client.send(type, id, payload, context);
    }

    /** Sends XS_TRANSACTION_END: commit ("T") or abort ("F"). */
    Promise<Void> end(boolean commit) {
        Promise<Void> reply = call(MessageType.TRANSACTION_END, Message.strings(commit ? "T" : "F"),
                "TRANSACTION_END " + Integer.toUnsignedString(id) + (commit ? " commit" : " abort"))
                .map(message -> client.decode(message, r -> Replies.ok(r, "TRANSACTION_END")));
        ended = true;
        return reply;
    }

    @Override
    public String toString() {
        return "Transaction[" + Integer.toUnsignedString(id) + ", attempt " + attempt + "]";
    }
}
