package dev.weft.xen.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Golden values of Xen 4.17's xs_wire.h, and the framing of messages. */
class WireFormatTest {

    @Test
    void messageTypesHaveTheNumbersOfXsWire() {
        Map<String, Integer> expected = new LinkedHashMap<>();
        String[] names = {"CONTROL", "DIRECTORY", "READ", "GET_PERMS", "WATCH", "UNWATCH", "TRANSACTION_START",
            "TRANSACTION_END", "INTRODUCE", "RELEASE", "GET_DOMAIN_PATH", "WRITE", "MKDIR", "RM", "SET_PERMS",
            "WATCH_EVENT", "ERROR", "IS_DOMAIN_INTRODUCED", "RESUME", "SET_TARGET"};
        for (int i = 0; i < names.length; i++) {
            expected.put(names[i], i);
        }
        // 20 was XS_RESTRICT, removed; XS_RESET_WATCHES = XS_SET_TARGET + 2.
        expected.put("RESET_WATCHES", 21);
        expected.put("DIRECTORY_PART", 22);
        expected.put("INVALID", 0xffff);
        Map<String, Integer> actual = new LinkedHashMap<>();
        for (MessageType type : MessageType.values()) {
            actual.put(type.name(), type.number());
        }
        assertEquals(expected, actual);
    }

    @Test
    void theRemovedRestrictTypeIsUnknown() {
        assertNull(MessageType.ofNumber(20));
    }

    @Test
    void everyTypeIsFoundByItsNumber() {
        for (MessageType type : MessageType.values()) {
            assertSame(type, MessageType.ofNumber(type.number()));
        }
    }

    @Test
    void errnoNamesAndNumbersAreThoseOfXsdErrors() {
        Map<String, Integer> expected = new LinkedHashMap<>();
        expected.put("EINVAL", 22);
        expected.put("EACCES", 13);
        expected.put("EEXIST", 17);
        expected.put("EISDIR", 21);
        expected.put("ENOENT", 2);
        expected.put("ENOMEM", 12);
        expected.put("ENOSPC", 28);
        expected.put("EIO", 5);
        expected.put("ENOTEMPTY", 39);
        expected.put("ENOSYS", 38);
        expected.put("EROFS", 30);
        expected.put("EBUSY", 16);
        expected.put("EAGAIN", 11);
        expected.put("EISCONN", 106);
        expected.put("E2BIG", 7);
        expected.put("EPERM", 1);
        Map<String, Integer> actual = new LinkedHashMap<>();
        for (XsError error : XsError.values()) {
            actual.put(error.name(), error.errno());
        }
        assertEquals(expected, actual);
    }

    @Test
    void theHeaderIsFourLittleEndianU32s() {
        byte[] bytes = new Message(0x0102_0304, 0x0506_0708, 0x090a_0b0c, new byte[] {'x'}).toBytes();
        assertArrayEquals(new byte[] {4, 3, 2, 1, 8, 7, 6, 5, 0x0c, 0x0b, 0x0a, 9, 1, 0, 0, 0, 'x'}, bytes);
    }

    @Test
    void thePayloadLimitIsXenstorePayloadMax() {
        assertEquals(4096, Message.PAYLOAD_MAX);
        assertEquals(16, Message.HEADER_SIZE);
    }

    @Test
    void aMessageOverThePayloadLimitCannotBeMade() {
        XenStoreException e = assertThrows(XenStoreException.class,
                () -> Message.of(MessageType.WRITE, 1, 0, new byte[Message.PAYLOAD_MAX + 1]));
        assertEquals(XsError.E2BIG, e.error());
    }

    @Test
    void payloadStringsAreEachFollowedByANul() {
        assertArrayEquals("a\0bc\0\0".getBytes(), Message.strings("a", "bc", ""));
    }

    @Test
    void splittingKeepsAnUnterminatedTail() {
        assertEquals(List.of("path", "value"), Message.split("path\0value".getBytes()));
    }

    @Test
    void theReaderReassemblesAMessageFedOneByteAtATime() {
        Message sent = Message.of(MessageType.READ, 9, 3, "hello".getBytes());
        List<Message> got = new ArrayList<>();
        MessageReader reader = new MessageReader();
        for (byte b : sent.toBytes()) {
            reader.feed(MemorySegment.ofArray(new byte[] {b}), got::add);
        }
        assertEquals(List.of(sent), got);
    }

    @Test
    void theReaderCutsSeveralMessagesOutOfOneChunk() {
        Message a = Message.of(MessageType.READ, 1, 0, "a".getBytes());
        Message b = Message.of(MessageType.WRITE, 2, 0, new byte[0]);
        byte[] both = new byte[a.toBytes().length + b.toBytes().length];
        System.arraycopy(a.toBytes(), 0, both, 0, a.toBytes().length);
        System.arraycopy(b.toBytes(), 0, both, a.toBytes().length, b.toBytes().length);
        List<Message> got = new ArrayList<>();
        new MessageReader().feed(MemorySegment.ofArray(both), got::add);
        assertEquals(List.of(a, b), got);
    }

    @Test
    void theReaderAcceptsAPayloadOfExactlyTheLimit() {
        List<Message> got = new ArrayList<>();
        new MessageReader().feed(MemorySegment.ofArray(Message.of(MessageType.READ, 1, 0,
                new byte[Message.PAYLOAD_MAX]).toBytes()), got::add);
        assertEquals(Message.PAYLOAD_MAX, got.get(0).payload().length);
    }

    @Test
    void theReaderRefusesAHeaderOverTheLimitAsSoonAsTheHeaderIsIn() {
        byte[] header = {2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0x10, 0, 0};
        assertThrows(XenStoreProtocolException.class,
                () -> new MessageReader().feed(MemorySegment.ofArray(header), m -> {}));
    }

    @Test
    void theReaderRefusesALengthWithTheTopBitSet() {
        byte[] header = {2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0x80};
        assertThrows(XenStoreProtocolException.class,
                () -> new MessageReader().feed(MemorySegment.ofArray(header), m -> {}));
    }

    @Test
    void aReaderThatFailedStaysFailed() {
        MessageReader reader = new MessageReader();
        byte[] header = {2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        assertThrows(XenStoreProtocolException.class, () -> reader.feed(MemorySegment.ofArray(header), m -> {}));
        byte[] fine = Message.of(MessageType.READ, 1, 0, new byte[0]).toBytes();
        assertThrows(XenStoreProtocolException.class, () -> reader.feed(MemorySegment.ofArray(fine), m -> {}));
    }

    @Test
    void pathsFollowXenstoredsRules() {
        assertTrue(StorePath.isValid("/"));
        assertTrue(StorePath.isValid("/local/domain/0/device-model_1"));
        assertTrue(StorePath.isValid("device/vif/0"));
        assertFalse(StorePath.isValid(""));
        assertFalse(StorePath.isValid("/a/"));
        assertFalse(StorePath.isValid("/a//b"));
        assertFalse(StorePath.isValid("/a b"));
        assertFalse(StorePath.isValid("/a\0b"));
        assertFalse(StorePath.isValid("/" + "a".repeat(StorePath.ABS_PATH_MAX)));
        assertFalse(StorePath.isValid("a".repeat(StorePath.REL_PATH_MAX + 1)));
    }

    @Test
    void permissionsRoundTripThroughTheirWireForm() {
        Permissions perms = Permissions.of(5, Permissions.Access.READ).with(7, Permissions.Access.BOTH);
        assertEquals(List.of("r5", "b7"), perms.toStrings());
        assertEquals(perms, Permissions.parse(perms.toStrings()));
    }

    @Test
    void permissionsAreParsedStrictly() {
        for (String bad : List.of("", "x5", "r", "r05", "r-1", "r65536", "r5 ", "R5")) {
            assertThrows(IllegalArgumentException.class, () -> Permissions.parse(List.of(bad)), bad);
        }
    }

    @Test
    void theOwnerAndDom0HaveFullAccess() {
        Permissions perms = Permissions.of(5, Permissions.Access.NONE);
        assertEquals(Permissions.Access.BOTH, perms.accessOf(5));
        assertEquals(Permissions.Access.BOTH, perms.accessOf(0));
        assertEquals(Permissions.Access.NONE, perms.accessOf(6));
    }
}
