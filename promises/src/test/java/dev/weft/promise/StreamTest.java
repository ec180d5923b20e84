package dev.weft.promise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Lwt_stream's behaviour (test_lwt_stream.ml and lwt_stream.ml), plus Weft's reader rules. */
class StreamTest {
    private static final IllegalStateException X = new IllegalStateException("X");

    @AfterEach
    void drainPaused() {
        while (LoopHooks.wakeupPaused() > 0) {
            // leave no paused promise to the next test
        }
    }

    private static <T> Optional<T> some(T value) {
        return Optional.of(value);
    }

    private static Stream<Integer> oneToFive() {
        return Stream.of(List.of(1, 2, 3, 4, 5));
    }

    /** A generator answering from a script: values, failures (thrown), then the end. */
    private static Supplier<Optional<Integer>> script(Object... steps) {
        Iterator<Object> it = List.of(steps).iterator();
        return () -> {
            if (!it.hasNext()) {
                return Optional.empty();
            }
            Object step = it.next();
            if (step instanceof RuntimeException e) {
                throw e;
            }
            return Optional.of((Integer) step);
        };
    }

    // ---------------------------------------------------------------- construction

    @Test
    void concurrentReadersOfAGeneratorStreamEachGetTheirOwnElement() {
        Mailbox<Integer> box = Mailbox.createEmpty();
        int[] calls = {0};
        Stream<Integer> s = Stream.from(() -> {
            calls[0]++;
            return box.take().map(Optional::of);
        });
        Promise<Integer> a = s.next();
        Promise<Integer> b = s.next();
        Promise<Integer> c = s.next();
        assertEquals(1, calls[0]);
        box.put(1);
        assertEquals(1, a.value());
        assertTrue(b.isPending());
        assertTrue(c.isPending());
        box.put(2);
        box.put(3);
        assertEquals(2, b.value());
        assertEquals(3, c.value());
    }

    @Test
    void ofValueIsClosedAtOnceAndYieldsTheValue() {
        Stream<Integer> s = Stream.ofValue(123);
        assertTrue(s.isClosed());
        assertEquals(123, s.next().value());
    }

    @Test
    void ofPromiseYieldsTheValueThenIsClosed() {
        Stream<Integer> s = Stream.ofPromise(Promise.of(123));
        assertEquals(123, s.next().value());
        assertTrue(s.isClosed());
    }

    @Test
    void ofPromiseWaitsForAPendingPromise() {
        Stream<Integer> s = Stream.ofPromise(Promise.pause().map(v -> 123));
        Promise<Integer> next = s.next();
        assertTrue(next.isPending());
        LoopHooks.wakeupPaused();
        assertEquals(123, next.value());
        assertTrue(s.isClosed());
    }

    @Test
    void ofPromiseOfARejectedPromiseIsAnEmptyStream() {
        Stream<Integer> s = Stream.ofPromise(Promise.pause().map(v -> {
            throw X;
        }));
        Promise<Integer> next = s.next();
        LoopHooks.wakeupPaused();
        assertInstanceOf(StreamEmpty.class, next.failure());
        assertTrue(s.isClosed());
    }

    @Test
    void ofIteratorIsLazy() {
        boolean[] tailForced = {false};
        Iterator<Integer> it = new Iterator<>() {
            private boolean given;

            @Override
            public boolean hasNext() {
                if (given) {
                    tailForced[0] = true;
                }
                return !given;
            }

            @Override
            public Integer next() {
                given = true;
                return 1;
            }
        };
        Stream<Integer> s = Stream.ofIterator(it);
        assertFalse(s.isClosed());
        assertEquals(some(1), s.get().value());
        assertFalse(tailForced[0]);
        assertEquals(Optional.empty(), s.get().value());
        assertTrue(tailForced[0]);
        assertTrue(s.isClosed());
    }

    @Test
    void fromWithPausingGeneratorIsLazy() {
        Iterator<Integer> it = List.of(1).iterator();
        Stream<Integer> s = Stream.from(() -> Promise.pause()
                .map(v -> it.hasNext() ? some(it.next()) : Optional.empty()));
        Promise<Optional<Integer>> first = s.get();
        LoopHooks.wakeupPaused();
        assertEquals(some(1), first.value());
        assertFalse(s.isClosed());
        Promise<Optional<Integer>> second = s.get();
        LoopHooks.wakeupPaused();
        assertEquals(Optional.empty(), second.value());
        assertTrue(s.isClosed());
    }

    @Test
    void ofYieldsElementsInOrder() {
        Stream<Integer> s = Stream.of(List.of(1, 2, 3));
        assertEquals(1, s.next().value());
        assertEquals(2, s.next().value());
        assertEquals(3, s.next().value());
    }

    @Test
    void cloneReadsIndependently() {
        Stream<Integer> s1 = Stream.of(List.of(1, 2, 3));
        Stream<Integer> s2 = s1.clone();
        assertEquals(1, s1.next().value());
        assertEquals(1, s2.next().value());
        assertEquals(2, s1.next().value());
        assertEquals(3, s1.next().value());
        assertEquals(2, s2.next().value());
        assertEquals(3, s2.next().value());
    }

    @Test
    void cloneOfAPushStreamSharesLaterElementsButNotTheReadPosition() {
        Stream.WithPush<Integer> created = Stream.create();
        created.push().push(1);
        Stream<Integer> clone = created.stream().clone();
        assertEquals(1, created.stream().next().value());
        assertTrue(created.stream().next().isPending());
        assertEquals(1, clone.next().value());
        assertTrue(clone.next().isPending());
    }

    @Test
    void cloneOfABoundedStreamIsRefused() {
        Stream<Integer> s = Stream.<Integer>createBounded(1).stream();
        assertThrows(UnsupportedOperationException.class, s::clone);
    }

    @Test
    void pushedElementsThenCloseMakeTheList() {
        Stream.WithPush<Integer> created = Stream.create();
        created.push().push(1);
        created.push().push(2);
        created.push().push(3);
        created.push().close();
        assertEquals(List.of(1, 2, 3), created.stream().toList().value());
    }

    @Test
    void nextOnAStreamClosedAtOnceRejectsWithStreamEmpty() {
        Stream.WithPush<Integer> created = Stream.create();
        created.push().close();
        assertInstanceOf(StreamEmpty.class, created.stream().next().failure());
    }

    @Test
    void getAtTheEndIsEmptyAgainAndAgain() {
        Stream<Integer> s = Stream.of(List.of());
        assertEquals(Optional.empty(), s.get().value());
        assertEquals(Optional.empty(), s.get().value());
    }

    @Test
    void pushAfterCloseThrowsStreamClosed() {
        Stream.WithPush<Integer> created = Stream.create();
        created.push().close();
        assertThrows(StreamClosed.class, () -> created.push().push(1));
    }

    @Test
    void closeOfAClosedPushStreamDoesNothing() {
        Stream.WithPush<Integer> created = Stream.create();
        created.push().push(1);
        created.push().close();
        created.push().close();
        assertEquals(List.of(1), created.stream().toList().value());
    }

    @Test
    void closeOfAClosedBoundedPushStreamDoesNothing() {
        Stream.WithBoundedPush<Integer> created = Stream.createBounded(1);
        created.push().push(1);
        created.push().close();
        created.push().close();
        assertEquals(List.of(1), created.stream().toList().value());
    }

    @Test
    void pushWakesAWaitingReader() {
        Stream.WithPush<Integer> created = Stream.create();
        Promise<Optional<Integer>> get = created.stream().get();
        assertTrue(get.isPending());
        created.push().push(4);
        assertEquals(some(4), get.value());
    }

    @Test
    void closeWakesAWaitingReaderWithTheEnd() {
        Stream.WithPush<Integer> created = Stream.create();
        Promise<Optional<Integer>> get = created.stream().get();
        created.push().close();
        assertEquals(Optional.empty(), get.value());
    }

    @Test
    void waitingReadersOfAPushStreamAreServedInArrivalOrderOneElementEach() {
        Stream.WithPush<Integer> created = Stream.create();
        Promise<Integer> first = created.stream().next();
        Promise<Integer> second = created.stream().next();
        created.push().push(1);
        assertEquals(1, first.value());
        assertTrue(second.isPending());
        created.push().push(2);
        assertEquals(2, second.value());
    }

    // ---------------------------------------------------------------- bounded push

    @Test
    void boundedPushWaitsWhenFullAndRefusesASecondWaitingPush() {
        Stream.WithBoundedPush<Integer> created = Stream.createBounded(3);
        BoundedStreamPush<Integer> push = created.push();
        Stream<Integer> s = created.stream();
        assertTrue(push.push(1).isFulfilled());
        assertTrue(push.push(2).isFulfilled());
        assertTrue(push.push(3).isFulfilled());
        Promise<Void> fourth = push.push(4);
        assertTrue(fourth.isPending());
        assertTrue(push.isBlocked());
        assertInstanceOf(StreamFull.class, push.push(5).failure());
        assertInstanceOf(StreamFull.class, push.push(6).failure());
        assertEquals(some(1), s.get().value());
        assertTrue(fourth.isFulfilled());
        assertEquals(some(2), s.get().value());
        assertTrue(push.push(7).isFulfilled());
        push.close();
        assertInstanceOf(StreamClosed.class, push.push(8).failure());
        assertEquals(List.of(3, 4, 7), s.toList().value());
    }

    @Test
    void boundedPushAdmittedByAReadInsideACallbackIsFulfilledBeforeItsCallbacksRun() {
        Stream.WithBoundedPush<Integer> created = Stream.createBounded(1);
        created.push().push(1);
        Promise<Void> blocked = created.push().push(2);
        boolean[] callbackRan = {false};
        blocked.onSuccess(v -> callbackRan[0] = true);
        boolean[] seen = new boolean[2];
        Resolver<Void> outer = Promise.pending();
        outer.promise().onSuccess(v -> {
            created.stream().get();
            seen[0] = blocked.isFulfilled();
            seen[1] = callbackRan[0];
        });
        outer.resolve(null);
        assertTrue(seen[0]);
        assertFalse(seen[1]);
        assertTrue(callbackRan[0]);
    }

    @Test
    void boundedCloseEndsAWaitingReader() {
        Stream.WithBoundedPush<Integer> created = Stream.createBounded(1);
        created.push().push(1);
        Promise<List<Integer>> all = created.stream().toList();
        assertTrue(all.isPending());
        created.push().close();
        assertEquals(List.of(1), all.value());
    }

    @Test
    void boundedCloseRejectsTheWaitingPushWithStreamClosed() {
        Stream.WithBoundedPush<Integer> created = Stream.createBounded(0);
        Promise<Void> blocked = created.push().push(1);
        created.push().close();
        assertInstanceOf(StreamClosed.class, blocked.failure());
        assertEquals(List.of(), created.stream().toList().value());
    }

    @Test
    void cancellingTheWaitingBoundedPushDropsItsValue() {
        Stream.WithBoundedPush<Integer> created = Stream.createBounded(1);
        created.push().push(1);
        Promise<Void> blocked = created.push().push(2);
        blocked.cancel();
        assertTrue(blocked.isCancelled());
        assertFalse(created.push().isBlocked());
        assertTrue(created.push().push(3).isPending());
        assertEquals(some(1), created.stream().get().value());
        assertEquals(some(3), created.stream().get().value());
    }

    @Test
    void boundedResizeAdmitsTheWaitingPush() {
        Stream.WithBoundedPush<Integer> created = Stream.createBounded(1);
        created.push().push(1);
        Promise<Void> blocked = created.push().push(2);
        created.push().resize(2);
        assertTrue(blocked.isFulfilled());
        assertEquals(2, created.push().count());
        assertEquals(List.of(1, 2), created.stream().getAvailable());
    }

    @Test
    void resizingAZeroSizeStreamUpAdmitsThePushWaitingForAReader() {
        Stream.WithBoundedPush<Integer> created = Stream.createBounded(0);
        Promise<Void> blocked = created.push().push(1);
        created.push().resize(1);
        assertTrue(blocked.isFulfilled());
        assertEquals(1, created.push().count());
        assertEquals(List.of(1), created.stream().getAvailable());
    }

    @Test
    void aReadThatLeavesAShrunkStreamStillOverItsSizeKeepsThePushWaiting() {
        Stream.WithBoundedPush<Integer> created = Stream.createBounded(3);
        created.push().push(1);
        created.push().push(2);
        created.push().push(3);
        Promise<Void> blocked = created.push().push(4);
        created.push().resize(1);

        assertEquals(some(1), created.stream().get().value());
        assertTrue(blocked.isPending(), "two unread elements are still over the size of one");
        assertEquals(2, created.push().count());

        assertEquals(List.of(2, 3), created.stream().getAvailableUpTo(2));
        assertTrue(blocked.isFulfilled(), "reading below the size made room");
        assertEquals(List.of(4), created.stream().getAvailable());
    }

    @Test
    void aZeroSizeBoundedStreamHandsAPushToTheReaderWaitingForIt() {
        Stream.WithBoundedPush<Integer> created = Stream.createBounded(0);
        Promise<Optional<Integer>> read = created.stream().get();

        Promise<Void> pushed = created.push().push(1);

        assertTrue(pushed.isFulfilled(), "a reader was waiting, so the push had its rendezvous");
        assertEquals(some(1), read.value());
        assertEquals(0, created.push().count());
    }

    @Test
    void aPushToAZeroSizeBoundedStreamWaitsForAReaderAndHandsItTheValue() {
        Stream.WithBoundedPush<Integer> created = Stream.createBounded(0);
        Promise<Void> pushed = created.push().push(1);
        assertTrue(pushed.isPending(), "no reader yet: the stream holds nothing");
        assertEquals(0, created.push().count());

        Promise<Optional<Integer>> read = created.stream().get();

        assertEquals(some(1), read.value());
        assertTrue(pushed.isFulfilled());
        assertEquals(0, created.push().count());
    }

    @Test
    void aZeroSizeBoundedStreamCarriesAProducerAndAConsumerToTheEnd() {
        Stream.WithBoundedPush<Integer> created = Stream.createBounded(0);
        BoundedStreamPush<Integer> push = created.push();
        Promise<List<Integer>> all = created.stream().toList();

        Promise<Void> produced = push.push(1).flatMap(v -> push.push(2)).flatMap(v -> push.push(3))
                .map(v -> {
                    push.close();
                    return null;
                });

        assertTrue(produced.isFulfilled(), "the producer is stuck: " + produced);
        assertEquals(List.of(1, 2, 3), all.value());
    }

    @Test
    void aBoundedStreamResizedToZeroHandsTheWaitingPushToTheNextReaderAtTheTail() {
        Stream.WithBoundedPush<Integer> created = Stream.createBounded(1);
        created.push().push(1);
        created.push().resize(0);
        Promise<Void> blocked = created.push().push(2);

        assertEquals(some(1), created.stream().get().value());
        assertTrue(blocked.isPending(), "nothing unread is left, but no reader waits yet");
        assertEquals(some(2), created.stream().get().value());
        assertTrue(blocked.isFulfilled());
    }

    @Test
    void boundedCountIsTheNumberOfUnreadElements() {
        Stream.WithBoundedPush<Integer> created = Stream.createBounded(5);
        created.push().push(1);
        created.push().push(2);
        assertEquals(2, created.push().count());
        created.stream().get();
        assertEquals(1, created.push().count());
    }

    @Test
    void negativeBoundIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Stream.createBounded(-1));
        assertThrows(IllegalArgumentException.class, () -> Stream.createBounded(1).push().resize(-1));
    }

    // ---------------------------------------------------------------- retrieval

    @Test
    void getWhileStopsAtTheFirstFailingElementWithoutConsumingIt() {
        Stream<Integer> s = oneToFive();
        assertEquals(List.of(1, 2), s.getWhile(x -> x < 3).value());
        assertEquals(List.of(3, 4, 5), s.toList().value());
    }

    @Test
    void junkWhileRemovesTheLeadingRun() {
        Stream<Integer> s = oneToFive();
        s.junkWhile(x -> x < 3);
        assertEquals(List.of(3, 4, 5), s.toList().value());
    }

    @Test
    void peekDoesNotConsume() {
        Stream<Integer> s = oneToFive();
        assertEquals(some(1), s.peek().value());
        assertEquals(some(1), s.peek().value());
        assertEquals(List.of(1, 2, 3, 4, 5), s.toList().value());
    }

    @Test
    void npeekDoesNotConsume() {
        Stream<Integer> s = oneToFive();
        assertEquals(List.of(1, 2, 3), s.npeek(3).value());
        assertEquals(List.of(1), s.npeek(1).value());
        assertEquals(List.of(1, 2, 3, 4, 5), s.toList().value());
    }

    @Test
    void npeekWaitsForEnoughElements() {
        Stream.WithPush<Integer> created = Stream.create();
        created.push().push(1);
        Promise<List<Integer>> peeked = created.stream().npeek(2);
        assertTrue(peeked.isPending());
        created.push().push(2);
        assertEquals(List.of(1, 2), peeked.value());
    }

    @Test
    void ngetRemovesUpToNElementsAndStopsAtTheEnd() {
        Stream<Integer> s = oneToFive();
        assertEquals(List.of(1, 2), s.nget(2).value());
        assertEquals(List.of(3, 4, 5), s.nget(10).value());
        assertEquals(List.of(), s.nget(1).value());
    }

    @Test
    void ngetOfZeroDoesNotWait() {
        Stream<Integer> s = Stream.<Integer>create().stream();
        assertEquals(List.of(), s.nget(0).value());
    }

    @Test
    void ngetWaitsForElements() {
        Stream.WithPush<Integer> created = Stream.create();
        Promise<List<Integer>> taken = created.stream().nget(2);
        created.push().push(1);
        assertTrue(taken.isPending());
        created.push().push(2);
        assertEquals(List.of(1, 2), taken.value());
    }

    @Test
    void junkAndNjunkRemoveElements() {
        Stream<Integer> s = oneToFive();
        s.junk();
        s.njunk(2);
        assertEquals(List.of(4, 5), s.toList().value());
    }

    @Test
    void getAvailableReturnsBufferedElementsWithoutWaiting() {
        Stream.WithPush<Integer> created = Stream.create();
        created.push().push(1);
        created.push().push(2);
        created.push().push(3);
        assertEquals(List.of(1, 2, 3), created.stream().getAvailable());
        created.push().push(4);
        assertEquals(some(4), created.stream().get().value());
    }

    @Test
    void getAvailableUpToReturnsAtMostN() {
        Stream.WithPush<Integer> created = Stream.create();
        for (int i = 1; i <= 4; i++) {
            created.push().push(i);
        }
        assertEquals(List.of(1, 2), created.stream().getAvailableUpTo(2));
        assertEquals(some(3), created.stream().get().value());
    }

    @Test
    void getAvailableRethrowsASynchronousSourceFailure() {
        Stream<Integer> s = Stream.fromDirect(() -> {
            throw X;
        });
        assertSame(X, assertThrows(IllegalStateException.class, s::getAvailable));
    }

    @Test
    void filterKeepsMatchingElementsAndGetAvailableDoesNotWait() {
        Stream.WithPush<Integer> created = Stream.create();
        for (int i = 1; i <= 4; i++) {
            created.push().push(i);
        }
        Stream<Integer> filtered = created.stream().filter(x -> x == 3);
        assertEquals(some(3), filtered.get().value());
        assertEquals(List.of(), filtered.getAvailable());
    }

    @Test
    void filterMapKeepsPresentResultsAndGetAvailableDoesNotWait() {
        Stream.WithPush<Integer> created = Stream.create();
        for (int i = 1; i <= 4; i++) {
            created.push().push(i);
        }
        Stream<String> mapped = created.stream().filterMap(x -> x == 3 ? Optional.of("3") : Optional.empty());
        assertEquals(some("3"), mapped.get().value());
        assertEquals(List.of(), mapped.getAvailable());
    }

    @Test
    void lastNewReturnsTheLastBufferedElementAndConsumesAll() {
        Stream.WithPush<Integer> created = Stream.create();
        created.push().push(1);
        created.push().push(2);
        created.push().push(3);
        assertEquals(3, created.stream().lastNew().value());
        assertEquals(List.of(), created.stream().getAvailable());
    }

    @Test
    void lastNewWaitsWhenNothingIsBuffered() {
        Stream.WithPush<Integer> created = Stream.create();
        Promise<Integer> last = created.stream().lastNew();
        assertTrue(last.isPending());
        created.push().push(7);
        assertEquals(7, last.value());
    }

    @Test
    void lastNewAtTheEndRejectsWithStreamEmpty() {
        assertInstanceOf(StreamEmpty.class, Stream.of(List.of()).lastNew().failure());
    }

    @Test
    void junkAvailableDropsEverythingBufferedWithoutWaiting() {
        Stream.WithPush<Integer> created = Stream.create();
        Stream<Integer> s = created.stream();
        s.junkAvailable();
        assertEquals(List.of(), s.getAvailable());
        created.push().push(1);
        created.push().push(2);
        created.push().push(4);
        s.junkAvailable();
        assertEquals(List.of(), s.getAvailable());
        created.push().push(66);
        created.push().push(77);
        s.junkAvailable();
        assertEquals(List.of(), s.getAvailable());
    }

    @Test
    void isEmptyWaitsUntilItKnows() {
        Stream.WithPush<Integer> created = Stream.create();
        Promise<Boolean> empty = created.stream().isEmpty();
        assertTrue(empty.isPending());
        created.push().close();
        assertTrue(empty.value());
        assertFalse(Stream.ofValue(1).isEmpty().value());
    }

    // ---------------------------------------------------------------- cancellation of readers

    @Test
    void cancellingAPendingGetRejectsItWithCancelled() {
        Promise<Integer> next = Stream.<Integer>create().stream().next();
        next.cancel();
        assertTrue(next.isCancelled());
    }

    @Test
    void cancelledGetDoesNotLoseTheNextElement() {
        Stream.WithPush<Integer> created = Stream.create();
        created.stream().next().cancel();
        created.push().push(1);
        assertEquals(1, created.stream().next().value());
    }

    @Test
    void cancellingOneOfTwoPendingGetsLetsTheOtherHaveTheElement() {
        Stream.WithPush<Integer> created = Stream.create();
        Promise<Integer> t1 = created.stream().next();
        Promise<Integer> t2 = created.stream().next();
        t1.cancel();
        created.push().push(1);
        assertEquals(1, t2.value());
        assertTrue(t1.isCancelled());
    }

    @Test
    void cancellingAReaderOfAGeneratorStreamLeavesTheGeneratorCallRunning() {
        Resolver<Optional<Integer>> call = Promise.task();
        int[] calls = {0};
        Stream<Integer> s = Stream.from(() -> {
            calls[0]++;
            return call.promise();
        });
        Promise<Integer> reader = s.next();
        reader.cancel();
        assertTrue(reader.isCancelled());
        assertTrue(call.promise().isPending());
        Promise<Integer> again = s.next();
        call.resolve(some(5));
        assertEquals(5, again.value());
        assertEquals(1, calls[0]);
    }

    // ---------------------------------------------------------------- memory

    @Test
    void producerDoesNotKeepTheStreamOrItsElementsAlive() {
        StreamPush<Object> push = Stream.create().push();
        WeakReference<Object> element = pushUnreachableElement(push);
        // A full collection clears weak references to unreachable objects before it returns.
        for (int i = 0; i < 5 && element.get() != null; i++) {
            System.gc();
        }
        assertNull(element.get());
        push.push(new Object());
    }

    private static WeakReference<Object> pushUnreachableElement(StreamPush<Object> push) {
        Object value = new Object();
        push.push(value);
        return new WeakReference<>(value);
    }

    // ---------------------------------------------------------------- sources and failures

    @Test
    void constructorsFromCollectionsAreClosedAtOnce() {
        assertTrue(Stream.of(List.of()).isClosed());
        assertTrue(Stream.of(List.of(1, 2, 3)).isClosed());
        assertFalse(Stream.fromDirect(() -> some(1)).isClosed());
    }

    @Test
    void directStreamEndingIsClosedOnlyOnceTheEndIsRead() {
        Stream<Integer> s = Stream.fromDirect(Optional::empty);
        assertFalse(s.isClosed());
        s.junk();
        assertTrue(s.isClosed());
    }

    @Test
    void closedResolvesWhenTheEndIsRead() {
        Stream<Integer> s = Stream.fromDirect(script(1));
        boolean[] closedSeen = {false};
        s.closed().onSuccess(v -> closedSeen[0] = s.isClosed());
        assertEquals(some(1), s.peek().value());
        assertFalse(closedSeen[0]);
        s.junk();
        assertEquals(Optional.empty(), s.peek().value());
        assertTrue(closedSeen[0]);
    }

    @Test
    void closedOfAClosedStreamIsAlreadyResolved() {
        boolean[] ran = {false};
        Stream.of(List.of()).closed().onTermination(() -> ran[0] = true);
        assertTrue(ran[0]);
    }

    @Test
    void closedCannotBeCancelled() {
        Stream<Integer> s = Stream.<Integer>create().stream();
        s.closed().cancel();
        assertTrue(s.closed().isPending());
    }

    @Test
    void chooseOverExhaustedStreamsEnds() {
        assertEquals(List.of(), Stream.choose(List.of(Stream.of(List.<Integer>of()))).toList().value());
    }

    @Test
    void chooseMergesElementsInArrivalOrder() {
        Stream.WithPush<Integer> a = Stream.create();
        Stream.WithPush<Integer> b = Stream.create();
        Stream<Integer> merged = Stream.choose(List.of(a.stream(), b.stream()));
        Promise<List<Integer>> all = merged.toList();
        b.push().push(1);
        a.push().push(2);
        b.push().push(3);
        a.push().close();
        b.push().close();
        assertEquals(List.of(1, 2, 3), all.value());
    }

    @Test
    void chooseTakesReadyStreamsInTurn() {
        Stream<Integer> merged = Stream.choose(List.of(Stream.of(List.of(1, 3, 5)), Stream.of(List.of(2, 4, 6))));
        assertEquals(List.of(1, 2, 3, 4, 5, 6), merged.toList().value());
    }

    @Test
    void generatorThrowingRejectsGet() {
        Stream<Integer> s = Stream.from(() -> {
            throw X;
        });
        assertSame(X, s.get().failure());
    }

    @Test
    void directGeneratorThrowingRejectsGet() {
        Stream<Integer> s = Stream.fromDirect(() -> {
            throw X;
        });
        assertSame(X, s.get().failure());
    }

    @Test
    void toListPassesOnTheGeneratorsFailure() {
        Stream<Integer> s = Stream.from(() -> {
            throw X;
        });
        assertSame(X, s.toList().failure());
    }

    @Test
    void mapPassesOnTheGeneratorsFailure() {
        Stream<Integer> s = Stream.from(() -> {
            throw X;
        });
        assertSame(X, s.map(x -> x).get().failure());
    }

    @Test
    void generatorFailureLeavesTheStreamOpenAndReadingResumes() {
        Iterator<Promise<Optional<Integer>>> answers = List.of(
                Promise.<Optional<Integer>>rejected(X), Promise.of(some(0)), Promise.of(Optional.<Integer>empty()))
                .iterator();
        Stream<Integer> s = Stream.from(answers::next);
        assertSame(X, s.get().failure());
        assertFalse(s.isClosed());
        assertEquals(some(0), s.get().value());
        assertEquals(Optional.empty(), s.get().value());
        assertTrue(s.isClosed());
    }

    @Test
    void directGeneratorFailureLeavesTheStreamOpenAndReadingResumes() {
        Stream<Integer> s = Stream.fromDirect(script(X, 0));
        assertSame(X, s.get().failure());
        assertFalse(s.isClosed());
        assertEquals(some(0), s.get().value());
        assertEquals(Optional.empty(), s.get().value());
        assertTrue(s.isClosed());
    }

    // ---------------------------------------------------------------- transformers and consumers

    @Test
    void mapAppliesTheFunctionToEachElement() {
        assertEquals(List.of(2, 4, 6), Stream.of(List.of(1, 2, 3)).map(x -> x * 2).toList().value());
    }

    @Test
    void mapConsumesTheSourceElements() {
        Stream<Integer> source = Stream.of(List.of(1, 2, 3));
        Stream<Integer> mapped = source.map(x -> x);
        mapped.get();
        assertEquals(List.of(2, 3), source.toList().value());
    }

    @Test
    void mapSWaitsForEachPromise() {
        Stream<Integer> mapped = Stream.of(List.of(1, 2)).mapS(x -> Promise.pause().map(v -> x * 10));
        Promise<List<Integer>> all = mapped.toList();
        LoopHooks.wakeupPaused();
        assertTrue(all.isPending());
        LoopHooks.wakeupPaused();
        assertEquals(List.of(10, 20), all.value());
    }

    @Test
    void filterSKeepsElementsItsPromisesAccept() {
        Stream<Integer> s = oneToFive().filterS(x -> Promise.of(x % 2 == 1));
        assertEquals(List.of(1, 3, 5), s.toList().value());
    }

    @Test
    void filterMapSKeepsPresentResults() {
        Stream<String> s = oneToFive().filterMapS(x -> Promise.of(x > 3 ? Optional.of("n" + x) : Optional.empty()));
        assertEquals(List.of("n4", "n5"), s.toList().value());
    }

    @Test
    void mapListFlattensTheListsInOrder() {
        Stream<Integer> s = Stream.of(List.of(1, 2, 3)).mapList(x -> x == 2 ? List.of() : List.of(x, x));
        assertEquals(List.of(1, 1, 3, 3), s.toList().value());
    }

    @Test
    void foldCombinesElementsInOrder() {
        assertEquals("12345", oneToFive().fold("", (acc, x) -> acc + x).value());
    }

    @Test
    void foldSWaitsForEachStep() {
        Promise<Integer> sum = oneToFive().foldS(0, (acc, x) -> Promise.pause().map(v -> acc + x));
        for (int i = 0; i < 5; i++) {
            assertTrue(sum.isPending());
            LoopHooks.wakeupPaused();
        }
        assertEquals(15, sum.value());
    }

    @Test
    void iterVisitsEachElementInOrder() {
        List<Integer> seen = new ArrayList<>();
        assertTrue(oneToFive().iter(seen::add).isFulfilled());
        assertEquals(List.of(1, 2, 3, 4, 5), seen);
    }

    @Test
    void iterWhoseFunctionThrowsIsRejected() {
        Promise<Void> done = oneToFive().iter(x -> {
            throw X;
        });
        assertSame(X, done.failure());
    }

    @Test
    void iterSWaitsForEachCallBeforeReadingOn() {
        List<String> events = new ArrayList<>();
        Stream<Integer> s = Stream.of(List.of(1, 2));
        Promise<Void> done = s.iterS(x -> {
            events.add("start " + x);
            return Promise.pause().map(v -> {
                events.add("end " + x);
                return null;
            });
        });
        LoopHooks.wakeupPaused();
        LoopHooks.wakeupPaused();
        assertTrue(done.isFulfilled());
        assertEquals(List.of("start 1", "end 1", "start 2", "end 2"), events);
    }

    @Test
    void iterPStartsEveryCallWithoutWaiting() {
        List<Resolver<Void>> calls = new ArrayList<>();
        Promise<Void> done = Stream.of(List.of(1, 2, 3)).iterP(x -> {
            Resolver<Void> r = Promise.pending();
            calls.add(r);
            return r.promise();
        });
        assertEquals(3, calls.size());
        calls.get(2).resolve(null);
        calls.get(0).resolve(null);
        assertTrue(done.isPending());
        calls.get(1).resolve(null);
        assertTrue(done.isFulfilled());
    }

    @Test
    void iterPReportsTheEarliestElementsFailureOnceTheCallsBeforeItSucceeded() {
        List<Resolver<Void>> calls = new ArrayList<>();
        Promise<Void> done = Stream.of(List.of(1, 2, 3)).iterP(x -> {
            Resolver<Void> r = Promise.pending();
            calls.add(r);
            return r.promise();
        });
        IllegalStateException third = new IllegalStateException("third");
        IllegalStateException second = new IllegalStateException("second");
        calls.get(2).reject(third);
        calls.get(1).reject(second);
        assertTrue(done.isPending());
        calls.get(0).resolve(null);
        assertSame(second, done.failure());
    }

    @Test
    void iterNRunsAtMostNCallsAtOnce() {
        List<Resolver<Void>> calls = new ArrayList<>();
        Promise<Void> done = oneToFive().iterN(2, x -> {
            Resolver<Void> r = Promise.pending();
            calls.add(r);
            return r.promise();
        });
        assertEquals(2, calls.size());
        calls.get(1).resolve(null);
        assertEquals(3, calls.size());
        calls.get(0).resolve(null);
        calls.get(2).resolve(null);
        assertEquals(5, calls.size());
        calls.get(3).resolve(null);
        assertTrue(done.isPending());
        calls.get(4).resolve(null);
        assertTrue(done.isFulfilled());
    }

    @Test
    void iterNRefusesAConcurrencyBelowOne() {
        assertThrows(IllegalArgumentException.class, () -> oneToFive().iterN(0, x -> Promise.unit()));
    }

    @Test
    void findConsumesUpToAndIncludingTheMatch() {
        Stream<Integer> s = oneToFive();
        assertEquals(some(3), s.find(x -> x == 3).value());
        assertEquals(List.of(4, 5), s.toList().value());
        assertEquals(Optional.empty(), Stream.of(List.of(1)).find(x -> x == 9).value());
    }

    @Test
    void findSUsesAnAsynchronousPredicate() {
        Stream<Integer> s = oneToFive();
        assertEquals(some(4), s.findS(x -> Promise.of(x > 3)).value());
        assertEquals(List.of(5), s.toList().value());
    }

    @Test
    void appendReadsTheFirstStreamThenTheSecond() {
        Stream<Integer> s = Stream.append(Stream.of(List.of(1, 2)), Stream.of(List.of(3)));
        assertEquals(List.of(1, 2, 3), s.toList().value());
    }

    @Test
    void concatReadsEachStreamInTurn() {
        Stream<Stream<Integer>> streams = Stream.of(List.of(Stream.of(List.of(1)), Stream.of(List.<Integer>of()),
                Stream.of(List.of(2, 3))));
        assertEquals(List.of(1, 2, 3), Stream.concat(streams).toList().value());
    }

    @Test
    void combinePairsElementsAndEndsWithTheShorterStream() {
        Stream<Pair<Integer, String>> s = Stream.combine(Stream.of(List.of(1, 2, 3)), Stream.of(List.of("a", "b")));
        assertEquals(List.of(new Pair<>(1, "a"), new Pair<>(2, "b")), s.toList().value());
    }

    @Test
    void longSynchronousStreamsAreReadWithoutGrowingTheStack() {
        int n = 200_000;
        int[] next = {0};
        Stream<Integer> s = Stream.fromDirect(() -> next[0] < n ? Optional.of(next[0]++) : Optional.empty());
        Promise<Integer> count = s.filter(x -> x % 2 == 0).map(x -> 1).foldS(0, (acc, x) -> Promise.of(acc + x));
        assertEquals(n / 2, count.value());
    }

    @Test
    void nullElementsAreRefused() {
        assertThrows(NullPointerException.class, () -> Stream.<Integer>create().push().push(null));
        assertTrue(Stream.of(List.of(1)).map(x -> (Integer) null).get().isRejected());
    }
}
