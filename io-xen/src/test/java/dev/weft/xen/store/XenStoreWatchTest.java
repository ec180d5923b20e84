package dev.weft.xen.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.Promise;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Watches against the model daemon, one behaviour each. */
class XenStoreWatchTest {
    private final StoreFixture fx = new StoreFixture();
    private final XenStore dom0 = fx.client(0);

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void aWatchFiresOnceWhenRegistered() {
        Watch watch = fx.run(dom0.watch("/w", "tok"));
        assertEquals(List.of(new WatchEvent("/w", "tok")), fx.received(dom0, watch));
    }

    @Test
    void aWatchFiresWhenItsNodeChanges() {
        Watch watch = fx.run(dom0.watch("/w", "tok"));
        fx.next(watch, 1);
        fx.run(dom0.write("/w", "x"));
        assertEquals(List.of(new WatchEvent("/w", "tok")), fx.received(dom0, watch));
    }

    @Test
    void aWatchFiresForChangesBelowItsPathNamingTheChangedNode() {
        Watch watch = fx.run(dom0.watch("/w", "tok"));
        fx.next(watch, 1);
        fx.run(dom0.write("/w/deep/child", "x"));
        assertEquals(List.of(new WatchEvent("/w/deep/child", "tok")), fx.received(dom0, watch));
    }

    @Test
    void aWatchDoesNotFireForASiblingWithTheSamePrefix() {
        Watch watch = fx.run(dom0.watch("/w", "tok"));
        fx.next(watch, 1);
        fx.run(dom0.write("/wx", "x"));
        assertEquals(List.of(), fx.received(dom0, watch));
    }

    @Test
    void removingANodeFiresTheWatchesBelowIt() {
        fx.run(dom0.write("/r/a/b", "x"));
        Watch watch = fx.run(dom0.watch("/r/a/b", "tok"));
        fx.next(watch, 1);
        fx.run(dom0.rm("/r"));
        assertEquals(List.of(new WatchEvent("/r/a/b", "tok")), fx.received(dom0, watch));
    }

    @Test
    void anotherConnectionsChangeFiresTheWatch() {
        Watch watch = fx.run(dom0.watch("/w", "tok"));
        fx.next(watch, 1);
        XenStore other = fx.client(0);
        fx.run(other.write("/w", "x"));
        assertEquals(new WatchEvent("/w", "tok"), fx.run(watch.events().next()));
    }

    @Test
    void aWatchDoesNotFireForANodeItsDomainCannotRead() {
        XenStore dom7 = fx.client(7);
        Watch watch = fx.run(dom7.watch("/", "tok"));
        fx.next(watch, 1);
        fx.run(dom0.write("/secret", "x"));
        assertEquals(List.of(), fx.received(dom7, watch));
    }

    @Test
    void aWatchFiresForANodeItsDomainMayRead() {
        fx.run(dom0.mkdir("/shared"));
        fx.run(dom0.setPerms("/shared", Permissions.of(0, Permissions.Access.READ)));
        XenStore dom7 = fx.client(7);
        Watch watch = fx.run(dom7.watch("/shared", "tok"));
        fx.next(watch, 1);
        fx.run(dom0.write("/shared/k", "x"));
        assertEquals(List.of(new WatchEvent("/shared/k", "tok")), fx.received(dom7, watch));
    }

    @Test
    void spuriousEventsAreDeliveredAsHints() {
        fx.run(dom0.write("/w", "same"));
        Watch watch = fx.run(dom0.watch("/w", "tok"));
        fx.next(watch, 1);
        fx.daemon.fireSpuriously("/w");
        assertEquals(List.of(new WatchEvent("/w", "tok")), fx.received(dom0, watch));
    }

    @Test
    void unwatchEndsTheStream() {
        Watch watch = fx.run(dom0.watch("/w", "tok"));
        fx.next(watch, 1);
        fx.run(watch.unwatch());
        assertEquals(Optional.empty(), fx.run(watch.events().get()));
    }

    @Test
    void afterUnwatchChangesNoLongerFire() {
        Watch watch = fx.run(dom0.watch("/w", "tok"));
        fx.run(watch.unwatch());
        fx.run(dom0.write("/w", "x"));
        fx.run(dom0.getDomainPath(0));
        assertEquals(List.of(new WatchEvent("/w", "tok")), fx.run(watch.events().toList()));
    }

    @Test
    void unwatchOfAWatchTheDaemonDoesNotKnowFailsWithEnoent() {
        Watch watch = fx.run(dom0.watch("/w", "tok"));
        fx.run(dom0.request(MessageType.UNWATCH, 0, Message.strings("/w", "tok")));
        assertEquals(XsError.ENOENT, fx.error(watch.unwatch()));
    }

    @Test
    void aTokenInUseIsRejectedWithEexist() {
        fx.run(dom0.watch("/w", "tok"));
        assertEquals(XsError.EEXIST, fx.error(dom0.watch("/other", "tok")));
    }

    @Test
    void watchesWithoutATokenGetDistinctOnes() {
        Watch first = fx.run(dom0.watch("/w"));
        Watch second = fx.run(dom0.watch("/w"));
        assertTrue(!first.token().equals(second.token()));
    }

    @Test
    void resetWatchesEndsEveryStream() {
        Watch first = fx.run(dom0.watch("/a"));
        Watch second = fx.run(dom0.watch("/b"));
        fx.run(dom0.resetWatches());
        fx.run(dom0.write("/a", "x"));
        assertTrue(first.events().isClosed() && second.events().isClosed());
    }

    @Test
    void resetWatchesRemovesTheWatchesAtTheDaemon() {
        fx.run(dom0.watch("/a", "tok"));
        fx.run(dom0.resetWatches());
        assertEquals(XsError.ENOENT, fx.error(dom0.request(MessageType.UNWATCH, 0, Message.strings("/a", "tok"))));
    }

    @Test
    void aRelativeWatchIsReportedWithARelativePath() {
        fx.run(dom0.mkdir("/local/domain/0"));
        Watch watch = fx.run(dom0.watch("device", "tok"));
        fx.next(watch, 1);
        fx.run(dom0.write("/local/domain/0/device/vif", "x"));
        assertEquals(new WatchEvent("device/vif", "tok"), fx.run(watch.events().next()));
    }

    @Test
    void introducingADomainFiresIntroduceDomainWatches() {
        Watch watch = fx.run(dom0.watch(StorePath.INTRODUCE_DOMAIN, "tok"));
        fx.next(watch, 1);
        fx.run(dom0.introduce(5, 0x1234, 7));
        assertEquals(new WatchEvent(StorePath.INTRODUCE_DOMAIN, "tok"), fx.run(watch.events().next()));
    }

    @Test
    void releasingADomainFiresReleaseDomainWatches() {
        fx.run(dom0.introduce(5, 0x1234, 7));
        Watch watch = fx.run(dom0.watch(StorePath.RELEASE_DOMAIN, "tok"));
        fx.next(watch, 1);
        fx.run(dom0.release(5));
        assertEquals(new WatchEvent(StorePath.RELEASE_DOMAIN, "tok"), fx.run(watch.events().next()));
    }

    @Test
    void specialWatchesDoNotFireForNodeChanges() {
        Watch watch = fx.run(dom0.watch(StorePath.INTRODUCE_DOMAIN, "tok"));
        fx.next(watch, 1);
        fx.run(dom0.write("/anything", "x"));
        assertEquals(List.of(), fx.received(dom0, watch));
    }

    @Test
    void closingTheClientEndsItsWatchStreams() {
        Watch watch = fx.run(dom0.watch("/w"));
        fx.next(watch, 1);
        fx.run(dom0.close());
        assertEquals(Optional.empty(), fx.run(watch.events().get()));
    }

    @Test
    void eventsOfARemovedWatchStillInFlightAreDroppedAndCounted() {
        Watch watch = fx.run(dom0.watch("/w", "tok"));
        fx.next(watch, 1);
        Promise<Void> written = dom0.write("/w", "x");
        // The write's event will arrive after the watch is gone here: it finds no stream.
        Promise<Void> unwatched = watch.unwatch();
        fx.run(written);
        fx.run(unwatched);
        assertEquals(1, dom0.droppedWatchEvents());
    }
}
