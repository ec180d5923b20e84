package dev.weft.xen.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.xen.store.Permissions.Access;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The node operations of the client against the model daemon, one behaviour each. */
class XenStoreNodeTest {
    private final StoreFixture fx = new StoreFixture();
    private final XenStore dom0 = fx.client(0);

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void readReturnsTheValueWritten() {
        fx.run(dom0.write("/vm/name", "guest"));
        assertEquals("guest", fx.run(dom0.read("/vm/name")));
    }

    @Test
    void readOfAMissingNodeFailsWithEnoent() {
        assertEquals(XsError.ENOENT, fx.error(dom0.read("/nowhere")));
    }

    @Test
    void writeCreatesMissingParentsWithEmptyValues() {
        fx.run(dom0.write("/a/b/c", "v"));
        assertEquals("", fx.run(dom0.read("/a/b")));
    }

    @Test
    void writeReplacesAValue() {
        fx.run(dom0.write("/k", "one"));
        fx.run(dom0.write("/k", "two"));
        assertEquals("two", fx.run(dom0.read("/k")));
    }

    @Test
    void mkdirCreatesAnEmptyNode() {
        fx.run(dom0.mkdir("/dir"));
        assertEquals("", fx.run(dom0.read("/dir")));
    }

    @Test
    void mkdirOfAnExistingNodeKeepsItsValue() {
        fx.run(dom0.write("/dir", "kept"));
        fx.run(dom0.mkdir("/dir"));
        assertEquals("kept", fx.run(dom0.read("/dir")));
    }

    @Test
    void rmRemovesTheNodeAndItsChildren() {
        fx.run(dom0.write("/t/x/y", "1"));
        fx.run(dom0.rm("/t/x"));
        assertEquals(XsError.ENOENT, fx.error(dom0.read("/t/x/y")));
    }

    @Test
    void rmOfAMissingNodeUnderAnExistingParentSucceeds() {
        fx.run(dom0.mkdir("/t"));
        fx.run(dom0.rm("/t/missing"));
        assertEquals(List.of(), fx.run(dom0.directory("/t")));
    }

    @Test
    void rmOfANodeWhoseParentIsMissingFailsWithEnoent() {
        assertEquals(XsError.ENOENT, fx.error(dom0.rm("/no/such")));
    }

    @Test
    void rmOfTheRootFailsWithEinval() {
        assertEquals(XsError.EINVAL, fx.error(dom0.rm("/")));
    }

    @Test
    void directoryListsTheChildren() {
        fx.run(dom0.write("/d/one", ""));
        fx.run(dom0.write("/d/two", ""));
        assertEquals(List.of("one", "two"), fx.run(dom0.directory("/d")));
    }

    @Test
    void directoryTooLargeForOnePayloadIsReadInParts() {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            expected.add(String.format("child-with-a-long-name-%04d", i));
        }
        for (String name : expected) {
            fx.run(dom0.mkdir("/big/" + name));
        }
        assertEquals(expected, fx.run(dom0.directory("/big")));
    }

    @Test
    void directoryPartOfASmallNodeIsCompleteInOnePart() {
        fx.run(dom0.mkdir("/p/a"));
        fx.run(dom0.mkdir("/p/b"));
        DirectoryPart part = fx.run(dom0.directoryPart("/p", 0));
        assertEquals(List.of("a", "b"), part.children());
        assertTrue(part.complete());
    }

    @Test
    void directoryPartStartsAtTheByteOffset() {
        fx.run(dom0.mkdir("/p/a"));
        fx.run(dom0.mkdir("/p/b"));
        assertEquals(List.of("b"), fx.run(dom0.directoryPart("/p", 2)).children());
    }

    @Test
    void directoryPartGenerationChangesWhenTheChildrenChange() {
        fx.run(dom0.mkdir("/p/a"));
        long before = fx.run(dom0.directoryPart("/p", 0)).generation();
        fx.run(dom0.mkdir("/p/b"));
        assertTrue(fx.run(dom0.directoryPart("/p", 0)).generation() != before);
    }

    @Test
    void getPermsReturnsTheOwnerTheDefaultAndTheGrants() {
        fx.run(dom0.mkdir("/perm"));
        Permissions set = Permissions.of(3, Access.NONE).with(5, Access.READ);
        fx.run(dom0.setPerms("/perm", set));
        assertEquals(set, fx.run(dom0.getPerms("/perm")));
    }

    @Test
    void aNodeWithoutAccessCannotBeReadByAnotherDomain() {
        fx.run(dom0.write("/secret", "x"));
        assertEquals(XsError.EACCES, fx.error(fx.client(7).read("/secret")));
    }

    @Test
    void aReadGrantLetsADomainRead() {
        fx.run(dom0.write("/shared", "x"));
        fx.run(dom0.setPerms("/shared", Permissions.of(0, Access.NONE).with(7, Access.READ)));
        assertEquals("x", fx.run(fx.client(7).read("/shared")));
    }

    @Test
    void aReadGrantDoesNotLetADomainWrite() {
        fx.run(dom0.write("/shared", "x"));
        fx.run(dom0.setPerms("/shared", Permissions.of(0, Access.NONE).with(7, Access.READ)));
        assertEquals(XsError.EACCES, fx.error(fx.client(7).write("/shared", "y")));
    }

    @Test
    void aNewNodeBelongsToItsUnprivilegedCreator() {
        fx.run(dom0.mkdir("/local/domain/7"));
        fx.run(dom0.setPerms("/local/domain/7", Permissions.of(7, Access.NONE)));
        XenStore dom7 = fx.client(7);
        fx.run(dom7.write("/local/domain/7/data", "x"));
        assertEquals(7, fx.run(dom0.getPerms("/local/domain/7/data")).owner());
    }

    @Test
    void anUnprivilegedDomainCannotGiveANodeAway() {
        fx.run(dom0.mkdir("/local/domain/7"));
        fx.run(dom0.setPerms("/local/domain/7", Permissions.of(7, Access.NONE)));
        XenStore dom7 = fx.client(7);
        assertEquals(XsError.EPERM, fx.error(dom7.setPerms("/local/domain/7", Permissions.of(8, Access.NONE))));
    }

    @Test
    void relativePathsResolveAgainstTheClientsHome() {
        XenStore home = fx.client(0, XenStore.Config.DEFAULT.withHome("/local/domain/0"));
        fx.run(home.write("name", "dom0"));
        assertEquals("dom0", fx.run(dom0.read("/local/domain/0/name")));
    }

    @Test
    void relativePathsWithoutAHomeAreResolvedByTheDaemon() {
        fx.run(dom0.mkdir("/local/domain/7"));
        fx.run(dom0.setPerms("/local/domain/7", Permissions.of(7, Access.NONE)));
        fx.run(fx.client(7).write("device", "x"));
        assertEquals("x", fx.run(dom0.read("/local/domain/7/device")));
    }

    @Test
    void anInvalidPathIsRejectedWithEinvalWithoutBeingSent() {
        assertEquals(XsError.EINVAL, fx.error(dom0.read("/bad//path")));
        assertEquals(0, dom0.outstandingRequests());
    }

    @Test
    void aWriteOverThePayloadLimitIsRefusedWithE2big() {
        assertEquals(XsError.E2BIG, fx.error(dom0.write("/big", "x".repeat(Message.PAYLOAD_MAX))));
        assertFalse(dom0.outstandingRequests() > 0);
    }

    @Test
    void theLargestWriteThatFitsIsStoredWhole() {
        String value = "x".repeat(Message.PAYLOAD_MAX - "/big".length() - 1);
        fx.run(dom0.write("/big", value));
        assertEquals(value, fx.run(dom0.read("/big")));
    }
}
