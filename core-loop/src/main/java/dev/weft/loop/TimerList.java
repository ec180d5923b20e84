package dev.weft.loop;

/**
 * Operations on an intrusive doubly linked list of {@link Timer}s, represented by its head (null
 * when empty): the head's {@code prev} points at the tail so that append is O(1) without a tail
 * field, and the tail's {@code next} is null so that iteration stops.
 *
 * <p><b>Threading: confined to the wheel's loop thread.</b> Every method returns the new head.
 */
final class TimerList {

    private TimerList() {}

    /** Appends {@code timer} (in no list) at the tail. O(1). */
    static <T> Timer<T> append(Timer<T> head, Timer<T> timer) {
        timer.next = null;
        if (head == null) {
            timer.prev = timer;
            return timer;
        }
        Timer<T> tail = head.prev;
        tail.next = timer;
        timer.prev = tail;
        head.prev = timer;
        return head;
    }

    /** Removes {@code timer}, which is in this list. O(1). */
    static <T> Timer<T> unlink(Timer<T> head, Timer<T> timer) {
        Timer<T> next = timer.next;
        Timer<T> prev = timer.prev;
        if (timer == head) {
            if (next != null) {
                next.prev = prev;
            }
            head = next;
        } else {
            prev.next = next;
            if (next != null) {
                next.prev = prev;
            } else {
                head.prev = prev;
            }
        }
        timer.prev = null;
        timer.next = null;
        return head;
    }

    /**
     * Cuts the list before {@code first}, which is in it, and returns the head of the second part
     * ({@code first}); {@code head} stays the head of the first part, which must not be empty. O(1).
     */
    static <T> Timer<T> splitBefore(Timer<T> head, Timer<T> first) {
        Timer<T> tail = head.prev;
        Timer<T> lastOfFirstPart = first.prev;
        lastOfFirstPart.next = null;
        head.prev = lastOfFirstPart;
        first.prev = tail;
        return first;
    }

    /**
     * Sorts the list into firing order ({@link Timer#firesBefore}). A bottom-up merge sort over the
     * {@code next} links: O(n log n) time and no allocation, unlike copying into an array.
     */
    static <T> Timer<T> sort(Timer<T> head) {
        int length = 0;
        for (Timer<T> t = head; t != null; t = t.next) {
            length++;
        }
        for (int width = 1; width < length; width *= 2) {
            head = mergePass(head, width);
        }
        relinkPrev(head);
        return head;
    }

    /** Merges each pair of adjacent sorted runs of {@code width} timers; only {@code next} is kept. */
    private static <T> Timer<T> mergePass(Timer<T> head, int width) {
        Timer<T> newHead = null;
        Timer<T> tail = null;
        Timer<T> left = head;
        while (left != null) {
            Timer<T> right = left;
            int leftSize = 0;
            while (leftSize < width && right != null) {
                leftSize++;
                right = right.next;
            }
            int rightSize = width;
            while (leftSize > 0 || (rightSize > 0 && right != null)) {
                Timer<T> taken;
                if (leftSize > 0 && (rightSize == 0 || right == null || !right.firesBefore(left))) {
                    taken = left;
                    left = left.next;
                    leftSize--;
                } else {
                    taken = right;
                    right = right.next;
                    rightSize--;
                }
                if (tail == null) {
                    newHead = taken;
                } else {
                    tail.next = taken;
                }
                tail = taken;
            }
            left = right;
        }
        tail.next = null;
        return newHead;
    }

    private static <T> void relinkPrev(Timer<T> head) {
        if (head == null) {
            return;
        }
        Timer<T> prev = head;
        for (Timer<T> t = head.next; t != null; t = t.next) {
            t.prev = prev;
            prev = t;
        }
        head.prev = prev;
    }
}
