package dev.weft.bench.libc;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.weft.unix.socket.NativeSocket;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One foreign call of the request path, bound four ways ({@link #binding}), so that the cost of
 * the JVM's side of a downcall shows beside the kernel's: the calls a loop makes per request on
 * non-blocking fds ({@code recv} and {@code send} on a connected Unix-domain socket pair, {@code
 * epoll_wait} with timeout 0, {@code epoll_ctl}), and a C function that does not enter the kernel
 * ({@code emptyCall}). Single-threaded: each JMH thread has its own state.
 *
 * <p>The bindings: {@code plain} (no option: errno is lost), {@code errno} ({@link
 * Linker.Option#captureCallState} of errno, what {@code Libc} has always used), {@code
 * critical+errno} (also {@link Linker.Option#critical}: no thread-state transition, so no
 * safepoint poll around the call) and {@code criticalHeap+errno} ({@code critical(true)}, which
 * also accepts heap segments; the {@code recvIntoArray} row passes a {@code byte[]} directly,
 * where the others read into native memory and copy).
 *
 * <p>Every row leaves the pair as it found it: {@code sendRecv} sends 64 bytes one way and reads
 * them back on the other end; {@code recvEmpty} asks an empty socket (EAGAIN, the kernel's
 * cheapest answer, so the JVM's share is the largest); {@code epollWaitReady} polls an epoll set
 * whose one fd is always readable; {@code epollCtlModify} flips that fd's interest between two
 * values.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class LibcCallBench {

    /** Bytes per message, as {@code echoload}'s default. */
    static final int MESSAGE_BYTES = 64;

    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CTL_MOD = 3;
    private static final int EPOLLIN = 0x001;
    private static final int EPOLLRDHUP = 0x2000;
    /** Room for one {@code struct epoll_event}: 12 bytes on x86_64 (packed, data at 4), which this assumes. */
    private static final int EPOLL_EVENT_BYTES = 16;

    /** How the calls are bound: {@code plain}, {@code errno}, {@code critical+errno}, {@code criticalHeap+errno}. */
    @Param({"plain", "errno", "critical+errno", "criticalHeap+errno"})
    public String binding;

    private final Arena arena = Arena.ofShared();
    /** Automatic, as {@code Scratch}'s: passing it to a call costs no atomic operation. */
    private final MemorySegment callState = Arena.ofAuto().allocate(Linker.Option.captureStateLayout());
    /** One NUL byte, in the shared arena (as {@code BufferPool}'s buffers) and in an automatic one. */
    private final MemorySegment emptyStringShared = arena.allocate(1);
    private final MemorySegment emptyStringAuto = Arena.ofAuto().allocate(1);
    private final MemorySegment message = arena.allocate(MESSAGE_BYTES, 8);
    private final MemorySegment received = arena.allocate(MESSAGE_BYTES, 8);
    private final MemorySegment event = arena.allocate(EPOLL_EVENT_BYTES, 8);
    private final byte[] receivedArray = new byte[MESSAGE_BYTES];
    private final MemorySegment receivedArraySegment = MemorySegment.ofArray(receivedArray);

    private MethodHandle recv;
    private MethodHandle send;
    private MethodHandle epollWait;
    private MethodHandle epollCtl;
    private MethodHandle labs;
    private MethodHandle strlen;
    private boolean capturesErrno;
    private boolean heapAllowed;
    private Path directory;
    private NativeSocket listener;
    private NativeSocket client;
    private NativeSocket server;
    private NativeSocket idle;
    /** The writing end of the always-readable pair, kept open so the pair never hangs up. */
    private NativeSocket keptOpen;
    private int epfd = -1;
    private int interestFlip;
    private long calls;

    /** Creates the state; JMH calls this. */
    public LibcCallBench() {}

    /** Binds the calls, connects two pairs (one busy, one always readable) and fills the epoll set. */
    @Setup(Level.Trial)
    public void open() throws Throwable {
        Linker.Option[] options = switch (binding) {
            case "plain" -> new Linker.Option[0];
            case "errno" -> new Linker.Option[] {Linker.Option.captureCallState("errno")};
            case "critical+errno" -> new Linker.Option[] {
                Linker.Option.critical(false), Linker.Option.captureCallState("errno")};
            case "criticalHeap+errno" -> new Linker.Option[] {
                Linker.Option.critical(true), Linker.Option.captureCallState("errno")};
            default -> throw new IllegalArgumentException("binding=" + binding);
        };
        capturesErrno = !binding.equals("plain");
        heapAllowed = binding.equals("criticalHeap+errno");
        recv = bind("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), options);
        send = bind("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), options);
        epollWait = bind("epoll_wait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), options);
        epollCtl = bind("epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), options);
        labs = bind("labs", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), options);
        strlen = bind("strlen", FunctionDescriptor.of(JAVA_LONG, ADDRESS), options);

        directory = Files.createTempDirectory("weft-libc-bench");
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(directory.resolve("listener"));
        listener = NativeSocket.stream(StandardProtocolFamily.UNIX);
        listener.bind(address);
        listener.listen(2);
        client = connect(address);
        server = listener.accept();
        NativeSocket idleClient = connect(address);
        idle = listener.accept();
        if (idleClient.write(message.asSlice(0, 1)) != 1) {
            throw new IllegalStateException("could not make the idle pair readable");
        }
        keptOpen = idleClient;
        epfd = epollCreate();
        event.set(JAVA_INT, 0, EPOLLIN | EPOLLRDHUP);
        event.set(ValueLayout.JAVA_LONG_UNALIGNED, 4, idle.fd());
        check(call4(epollCtl, epfd, EPOLL_CTL_ADD, idle.fd(), event), "epoll_ctl(ADD)");
    }

    /** Closes the epoll fd, the sockets and the directory. */
    @TearDown(Level.Trial)
    public void close() throws Throwable {
        if (epfd >= 0) {
            closeFd(epfd);
        }
        for (NativeSocket socket : new NativeSocket[] {keptOpen, idle, server, client, listener}) {
            if (socket != null) {
                socket.close();
            }
        }
        Files.deleteIfExists(directory.resolve("listener"));
        Files.deleteIfExists(directory);
        arena.close();
    }

    /** {@code send} 64 bytes, then {@code recv} them on the other end: two calls per operation. */
    @Benchmark
    public long sendRecv() throws Throwable {
        long sent = capturesErrno
                ? (long) send.invokeExact(callState, client.fd(), message, (long) MESSAGE_BYTES, MSG_NOSIGNAL)
                : (long) send.invokeExact(client.fd(), message, (long) MESSAGE_BYTES, MSG_NOSIGNAL);
        long got = capturesErrno
                ? (long) recv.invokeExact(callState, server.fd(), received, (long) MESSAGE_BYTES, MSG_DONTWAIT)
                : (long) recv.invokeExact(server.fd(), received, (long) MESSAGE_BYTES, MSG_DONTWAIT);
        return sent + got;
    }

    /**
     * As {@link #sendRecv}, but the bytes end in a {@code byte[]}: received straight into it
     * where the binding allows heap segments, else into native memory and copied.
     */
    @Benchmark
    public long sendRecvIntoArray() throws Throwable {
        long sent = capturesErrno
                ? (long) send.invokeExact(callState, client.fd(), message, (long) MESSAGE_BYTES, MSG_NOSIGNAL)
                : (long) send.invokeExact(client.fd(), message, (long) MESSAGE_BYTES, MSG_NOSIGNAL);
        long got;
        if (heapAllowed) {
            got = (long) recv.invokeExact(callState, server.fd(), receivedArraySegment, (long) MESSAGE_BYTES,
                    MSG_DONTWAIT);
        } else {
            got = capturesErrno
                    ? (long) recv.invokeExact(callState, server.fd(), received, (long) MESSAGE_BYTES, MSG_DONTWAIT)
                    : (long) recv.invokeExact(server.fd(), received, (long) MESSAGE_BYTES, MSG_DONTWAIT);
            MemorySegment.copy(received, ValueLayout.JAVA_BYTE, 0, receivedArray, 0, (int) got);
        }
        return sent + got + receivedArray[0];
    }

    /** {@code recv} on an empty socket: EAGAIN, so nearly all of the cost is the call itself. */
    @Benchmark
    public long recvEmpty() throws Throwable {
        return capturesErrno
                ? (long) recv.invokeExact(callState, server.fd(), received, (long) MESSAGE_BYTES, MSG_DONTWAIT)
                : (long) recv.invokeExact(server.fd(), received, (long) MESSAGE_BYTES, MSG_DONTWAIT);
    }

    /** {@code epoll_wait} with timeout 0 on a set whose one fd is readable: one event back. */
    @Benchmark
    public int epollWaitReady() throws Throwable {
        return capturesErrno
                ? (int) epollWait.invokeExact(callState, epfd, event, 1, 0)
                : (int) epollWait.invokeExact(epfd, event, 1, 0);
    }

    /** {@code epoll_ctl(MOD)} flipping the readable fd's interest between two values. */
    @Benchmark
    public int epollCtlModify() throws Throwable {
        interestFlip ^= EPOLLRDHUP;
        event.set(JAVA_INT, 0, EPOLLIN | interestFlip);
        event.set(ValueLayout.JAVA_LONG_UNALIGNED, 4, idle.fd());
        return call4(epollCtl, epfd, EPOLL_CTL_MOD, idle.fd(), event);
    }

    /**
     * {@code labs}, a C function that never enters the kernel: what is left is the JVM's side of
     * a downcall alone (the thread-state transitions, the safepoint poll, the errno capture).
     */
    @Benchmark
    public long emptyCall() throws Throwable {
        long argument = -(++calls);
        return capturesErrno ? (long) labs.invokeExact(callState, argument) : (long) labs.invokeExact(argument);
    }

    /**
     * {@code strlen} of an empty string in a shared arena's memory, as a socket call on a {@code
     * BufferPool} buffer passes it: the JVM acquires and releases the arena around the call.
     */
    @Benchmark
    public long pointerCallShared() throws Throwable {
        return capturesErrno ? (long) strlen.invokeExact(callState, emptyStringShared)
                : (long) strlen.invokeExact(emptyStringShared);
    }

    /** As {@link #pointerCallShared}, with the string in an automatic arena's memory. */
    @Benchmark
    public long pointerCallAuto() throws Throwable {
        return capturesErrno ? (long) strlen.invokeExact(callState, emptyStringAuto)
                : (long) strlen.invokeExact(emptyStringAuto);
    }

    private int call4(MethodHandle handle, int a, int b, int c, MemorySegment d) throws Throwable {
        return capturesErrno ? (int) handle.invokeExact(callState, a, b, c, d) : (int) handle.invokeExact(a, b, c, d);
    }

    private static NativeSocket connect(UnixDomainSocketAddress address) {
        NativeSocket socket = NativeSocket.stream(StandardProtocolFamily.UNIX);
        if (!socket.connect(address)) {
            throw new IllegalStateException("a Unix-domain connect did not complete at once");
        }
        return socket;
    }

    private static int epollCreate() throws Throwable {
        int fd = (int) bind("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT)).invokeExact(0);
        return check(fd, "epoll_create1");
    }

    private static void closeFd(int fd) throws Throwable {
        check((int) bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT)).invokeExact(fd), "close");
    }

    private static int check(int result, String call) {
        if (result < 0) {
            throw new IllegalStateException(call + " failed");
        }
        return result;
    }

    // Restricted: binding C functions is what this benchmark measures.
    @SuppressWarnings("restricted")
    private static MethodHandle bind(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        Linker linker = Linker.nativeLinker();
        MemorySegment symbol = linker.defaultLookup().find(name).orElseThrow();
        return linker.downcallHandle(symbol, descriptor, options);
    }
}
