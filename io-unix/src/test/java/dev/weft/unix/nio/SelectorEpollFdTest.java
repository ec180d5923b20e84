package dev.weft.unix.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class SelectorEpollFdTest {

    /** The epoll fds opened by {@code Selector.open()}, found the way NioEngine finds them. */
    private static List<Integer> opened(Selector[] out) throws IOException {
        List<Integer> before = SelectorEpollFd.epollFds();
        out[0] = Selector.open();
        List<Integer> after = new ArrayList<>(SelectorEpollFd.epollFds());
        after.removeAll(before);
        return after;
    }

    @Test
    void findsTheSelectorsOwnEpollFd() throws IOException {
        Selector[] selector = new Selector[1];
        List<Integer> candidates = opened(selector);
        try (Selector mine = selector[0]) {
            OptionalInt found = SelectorEpollFd.find(mine, candidates);
            assertTrue(found.isPresent(), "candidates " + candidates);
            assertEquals("anon_inode:[eventpoll]",
                    Files.readSymbolicLink(Path.of("/proc/self/fd/" + found.getAsInt())).toString());
        }
    }

    @Test
    void anotherSelectorsEpollFdIsNotTakenForOurs() throws IOException {
        Selector[] selector = new Selector[1];
        List<Integer> ours = opened(selector);
        Selector[] decoy = new Selector[1];
        List<Integer> theirs = opened(decoy);
        try (Selector mine = selector[0]; Selector other = decoy[0]) {
            other.selectNow(); // the decoy is a working Selector with its own wake-ups
            List<Integer> both = new ArrayList<>(theirs);
            both.addAll(ours);
            assertEquals(SelectorEpollFd.find(mine, ours), SelectorEpollFd.find(mine, both));
            assertEquals(OptionalInt.empty(), SelectorEpollFd.find(mine, theirs));
        }
    }

    @Test
    void aCandidateThatIsNotOpenIsRefused() throws IOException {
        try (Selector mine = Selector.open()) {
            assertEquals(OptionalInt.empty(), SelectorEpollFd.find(mine, List.of(Integer.MAX_VALUE)));
        }
    }
}
