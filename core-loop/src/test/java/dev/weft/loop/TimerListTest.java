package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimerListTest {

    private final TimerWheel<Void> wheel = new TimerWheel<>(0L);
    private final Timer<Void> a = new Timer.Plain<>(wheel, 1, 0, null);
    private final Timer<Void> b = new Timer.Plain<>(wheel, 2, 0, null);
    private final Timer<Void> c = new Timer.Plain<>(wheel, 3, 0, null);

    @Test
    void sortPutsTimersInFiringOrderAndRelinksBothDirections() {
        Random random = new Random(42);
        for (int length = 0; length < 70; length++) {
            List<Timer<Void>> timers = new ArrayList<>();
            Timer<Void> head = null;
            for (int i = 0; i < length; i++) {
                Timer<Void> timer = new Timer.Plain<>(wheel, i, random.nextInt(10), null);
                timers.add(timer);
                head = TimerList.append(head, timer);
            }

            head = TimerList.sort(head);

            timers.sort(Comparator.comparingLong((Timer<Void> t) -> t.deadlineNanos).thenComparingLong(t -> t.id));
            assertEquals(timers, forwards(head));
            if (length > 0) {
                assertSame(timers.getLast(), head.prev, "head.prev is the tail");
                assertNull(timers.getLast().next);
            }
        }
    }

    @Test
    void unlinkKeepsTheTailPointerRight() {
        Timer<Void> head = TimerList.append(TimerList.append(TimerList.append(null, a), b), c);

        head = TimerList.unlink(head, c);
        head = TimerList.append(head, c);
        head = TimerList.unlink(head, a);

        assertEquals(List.of(b, c), forwards(head));
        assertSame(c, head.prev);
    }

    @Test
    void splitBeforeMakesTwoWellFormedLists() {
        Timer<Void> head = TimerList.append(TimerList.append(TimerList.append(null, a), b), c);

        Timer<Void> second = TimerList.splitBefore(head, b);

        assertEquals(List.of(a), forwards(head));
        assertSame(a, head.prev);
        assertEquals(List.of(b, c), forwards(second));
        assertSame(c, second.prev);
        assertTrue(a.next == null);
    }

    private static List<Timer<Void>> forwards(Timer<Void> head) {
        List<Timer<Void>> out = new ArrayList<>();
        for (Timer<Void> t = head; t != null; t = t.next) {
            out.add(t);
        }
        return out;
    }
}
