package dev.weft.xen.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.xen.store.Permissions.Access;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The daemon and domain requests against the model daemon, one behaviour each. */
class XenStoreDomainTest {
    private final StoreFixture fx = new StoreFixture();
    private final XenStore dom0 = fx.client(0);

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void getDomainPathNamesTheDomainsHome() {
        assertEquals("/local/domain/12", fx.run(dom0.getDomainPath(12)));
    }

    @Test
    void anIntroducedDomainIsKnown() {
        fx.run(dom0.introduce(5, 0xfeffcL, 3));
        assertTrue(fx.run(dom0.isDomainIntroduced(5)));
    }

    @Test
    void aDomainNeverIntroducedIsNotKnown() {
        assertFalse(fx.run(dom0.isDomainIntroduced(9)));
    }

    @Test
    void introducingADomainTwiceFailsWithEexist() {
        fx.run(dom0.introduce(5, 1, 3));
        assertEquals(XsError.EEXIST, fx.error(dom0.introduce(5, 1, 3)));
    }

    @Test
    void aReleasedDomainIsNoLongerKnown() {
        fx.run(dom0.introduce(5, 1, 3));
        fx.run(dom0.release(5));
        assertFalse(fx.run(dom0.isDomainIntroduced(5)));
    }

    @Test
    void releasingAnUnknownDomainFailsWithEnoent() {
        assertEquals(XsError.ENOENT, fx.error(dom0.release(9)));
    }

    @Test
    void anUnprivilegedDomainCannotIntroduce() {
        assertEquals(XsError.EACCES, fx.error(fx.client(4).introduce(5, 1, 3)));
    }

    @Test
    void resumingAnIntroducedDomainSucceeds() {
        fx.run(dom0.introduce(5, 1, 3));
        fx.run(dom0.resume(5));
        assertTrue(fx.run(dom0.isDomainIntroduced(5)));
    }

    @Test
    void resumingAnUnknownDomainFailsWithEnoent() {
        assertEquals(XsError.ENOENT, fx.error(dom0.resume(9)));
    }

    @Test
    void aDomainWithATargetGetsItsTargetsAccess() {
        fx.run(dom0.introduce(5, 1, 3));
        fx.run(dom0.introduce(6, 1, 3));
        fx.run(dom0.write("/local/domain/6/secret", "x"));
        fx.run(dom0.setPerms("/local/domain/6/secret", Permissions.of(6, Access.NONE)));
        fx.run(dom0.setTarget(5, 6));
        assertEquals("x", fx.run(fx.client(5).read("/local/domain/6/secret")));
    }

    @Test
    void settingATargetOfUnknownDomainsFailsWithEnoent() {
        assertEquals(XsError.ENOENT, fx.error(dom0.setTarget(5, 6)));
    }

    @Test
    void controlPrintIsAcknowledged() {
        assertEquals("OK", fx.run(dom0.control(List.of("print", "hello"))));
    }

    @Test
    void anUnknownControlCommandFailsWithEinval() {
        assertEquals(XsError.EINVAL, fx.error(dom0.control(List.of("no-such-command"))));
    }

    @Test
    void anUnprivilegedDomainCannotSendControl() {
        assertEquals(XsError.EACCES, fx.error(fx.client(4).control(List.of("print", "x"))));
    }

    @Test
    void theInvalidTypeIsAnsweredWithEinval() {
        assertEquals(XsError.EINVAL, fx.error(dom0.request(MessageType.INVALID, 0, new byte[0])));
    }

    @Test
    void aWatchEventSentAsARequestIsAnsweredWithEinval() {
        assertEquals(XsError.EINVAL, fx.error(dom0.request(MessageType.WATCH_EVENT, 0, Message.strings("/", "t"))));
    }

    @Test
    void aRequestMissingItsArgumentIsAnsweredWithEinval() {
        assertEquals(XsError.EINVAL, fx.error(dom0.request(MessageType.GET_DOMAIN_PATH, 0, new byte[0])));
    }

    @Test
    void aDirectoryListTooLongForOnePayloadIsAnsweredWithE2big() {
        for (int i = 0; i < 300; i++) {
            fx.run(dom0.mkdir(String.format("/big/child-with-a-long-name-%04d", i)));
        }
        assertEquals(XsError.E2BIG, fx.error(dom0.request(MessageType.DIRECTORY, 0, Message.strings("/big"))));
    }
}
