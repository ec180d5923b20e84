package dev.weft.xen.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Transactions against the model daemon, one behaviour each. */
class XenStoreTransactionTest {
    private final StoreFixture fx = new StoreFixture();
    private final XenStore dom0 = fx.client(0);
    private final XenStore other = fx.client(0);

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void aCommittedTransactionsWritesAreVisible() {
        fx.run(dom0.transaction(tx -> tx.write("/t/a", "1").flatMap(v -> tx.write("/t/b", "2"))));
        assertEquals("12", fx.run(other.read("/t/a")) + fx.run(other.read("/t/b")));
    }

    @Test
    void writesInsideATransactionAreInvisibleUntilItCommits() {
        String seen = fx.run(dom0.transaction(tx -> tx.write("/t/a", "1")
                .flatMap(v -> other.read("/t/a").recover(e -> Promise.of("absent")))));
        assertEquals("absent", seen);
    }

    @Test
    void aTransactionReadsItsOwnWrites() {
        assertEquals("1", fx.run(dom0.transaction(tx -> tx.write("/t/a", "1").flatMap(v -> tx.read("/t/a")))));
    }

    @Test
    void aTransactionReadsTheSnapshotItStartedFrom() {
        fx.run(dom0.write("/t/a", "old"));
        String[] firstAttemptSaw = new String[1];
        fx.run(dom0.transaction(tx -> other.write("/t/a", "new").flatMap(v -> tx.read("/t/a")).map(value -> {
            if (tx.attempt() == 1) {
                firstAttemptSaw[0] = value;
            }
            return value;
        })));
        assertEquals("old", firstAttemptSaw[0]);
    }

    @Test
    void theBodysValueIsTheResult() {
        assertEquals(Integer.valueOf(42), fx.run(dom0.transaction(tx -> Promise.of(42))));
    }

    @Test
    void aConflictingCommitIsRetriedAndTheSecondAttemptCommits() {
        fx.run(dom0.write("/t/counter", "0"));
        AtomicInteger attempts = new AtomicInteger();
        fx.run(dom0.transaction(tx -> {
            attempts.incrementAndGet();
            return tx.read("/t/counter").flatMap(value -> (tx.attempt() == 1
                            ? other.write("/t/counter", "10") : Promise.unit())
                    .flatMap(v -> tx.write("/t/counter", Integer.toString(Integer.parseInt(value) + 1))));
        }));
        assertEquals(2, attempts.get());
        assertEquals("11", fx.run(other.read("/t/counter")));
    }

    @Test
    void aTransactionThatAlwaysConflictsFailsWithEagainAfterTheBound() {
        XenStore bounded = fx.client(0, XenStore.Config.DEFAULT.withTransactionAttempts(3));
        fx.run(bounded.write("/t/hot", "0"));
        AtomicInteger attempts = new AtomicInteger();
        XsError error = fx.error(bounded.transaction(tx -> {
            attempts.incrementAndGet();
            return tx.read("/t/hot").flatMap(v -> other.write("/t/hot", Integer.toString(tx.attempt())))
                    .flatMap(v -> tx.write("/t/hot", "mine"));
        }));
        assertEquals(XsError.EAGAIN, error);
        assertEquals(3, attempts.get());
    }

    @Test
    void aFailingBodyAbortsTheTransaction() {
        fx.failure(dom0.transaction(tx -> tx.write("/t/a", "1")
                .flatMap(v -> Promise.rejected(new IllegalStateException("body failed")))));
        assertEquals(XsError.ENOENT, fx.error(other.read("/t/a")));
    }

    @Test
    void aFailingBodysFailureIsTheResult() {
        IllegalStateException thrown = new IllegalStateException("body failed");
        assertSame(thrown, fx.failure(dom0.transaction(tx -> Promise.rejected(thrown))));
    }

    @Test
    void aBodyThatThrowsAbortsWithItsException() {
        IllegalStateException thrown = new IllegalStateException("thrown");
        assertSame(thrown, fx.failure(dom0.transaction(tx -> {
            throw thrown;
        })));
    }

    @Test
    void aTransactionCannotBeUsedAfterItEnded() {
        Transaction[] kept = new Transaction[1];
        fx.run(dom0.transaction(tx -> {
            kept[0] = tx;
            return Promise.unit();
        }));
        assertEquals(IllegalStateException.class, fx.failure(kept[0].read("/t")).getClass());
    }

    @Test
    void aRequestWithAnUnknownTransactionIdFailsWithEnoent() {
        assertEquals(XsError.ENOENT, fx.error(dom0.request(MessageType.READ, 999, Message.strings("/"))));
    }

    @Test
    void startingATransactionInsideOneFailsWithEbusy() {
        int id = Integer.parseInt(fx.run(dom0.request(MessageType.TRANSACTION_START, 0, Message.strings(""))).text());
        assertEquals(XsError.EBUSY, fx.error(dom0.request(MessageType.TRANSACTION_START, id, Message.strings(""))));
    }

    @Test
    void removalsInsideATransactionApplyAtCommit() {
        fx.run(dom0.write("/t/gone/child", "x"));
        fx.run(dom0.transaction(tx -> tx.rm("/t/gone")));
        assertEquals(XsError.ENOENT, fx.error(other.read("/t/gone/child")));
    }

    @Test
    void aCommitFiresTheWatchesOfWhatItChanged() {
        Watch watch = fx.run(other.watch("/t", "tok"));
        fx.next(watch, 1);
        fx.run(dom0.transaction(tx -> tx.write("/t/a", "1")));
        assertEquals(new WatchEvent("/t/a", "tok"), fx.run(watch.events().next()));
    }

    @Test
    void concurrentIncrementsInTransactionsLoseNoUpdate() {
        fx.run(dom0.write("/t/count", "0"));
        XenStore.Config patient = new XenStore.Config(null, 1000, Duration.ofMillis(2));
        List<Promise<Void>> workers = new ArrayList<>();
        AtomicInteger retries = new AtomicInteger();
        for (int w = 0; w < 5; w++) {
            XenStore client = fx.client(0, patient);
            Promise<Void> chain = Promise.unit();
            for (int i = 0; i < 20; i++) {
                chain = chain.flatMap(v -> client.transaction(tx -> {
                    if (tx.attempt() > 1) {
                        retries.incrementAndGet();
                    }
                    return tx.read("/t/count")
                            .flatMap(value -> tx.write("/t/count", Integer.toString(Integer.parseInt(value) + 1)));
                }));
            }
            workers.add(chain);
        }
        fx.run(Promise.join(workers));
        assertEquals("100", fx.run(dom0.read("/t/count")));
        assertTrue(retries.get() > 0, "the workers never conflicted: the test proves nothing");
    }
}
