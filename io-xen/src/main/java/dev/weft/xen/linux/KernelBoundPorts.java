package dev.weft.xen.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.weft.unix.ErrnoException;
import dev.weft.unix.libc.Libc;
import dev.weft.xen.evtchn.EventChannelDevice;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.time.Duration;
import java.util.Objects;
import org.agrona.collections.IntHashSet;

/**
 * Event-channel ports that this domain's kernel bound for itself, such as a PV guest's primary
 * console port (held by {@code hvc_xen}), as an {@link EventChannelDevice}: {@link #notify} sends
 * through {@code /dev/xen/privcmd} ({@link LinuxPrivcmd#sendEvent}), and since the kernel, not this
 * process, receives the ports' events, each adopted port is reported pending once every {@code
 * recheck} instead (a timerfd is the device's fd). That suits only protocols in which an event is
 * nothing but a reason to look at shared memory again, as the console's is: a waiter then looks
 * again at the next tick rather than at the peer's event, so a wait costs up to {@code recheck},
 * and the loop wakes every {@code recheck} while the device is open.
 *
 * <p>Ports are not bound here: {@link #adopt} names a port the kernel already bound, and the
 * {@code EventChannels} on this device watches it with {@code watchBound}. {@link #unbind} and
 * {@link #reset} only stop reporting (the kernel keeps its binding); the bind operations are
 * refused with {@link UnsupportedOperationException} (bind through {@code /dev/xen/evtchn}).
 *
 * <p><b>Threading: all operations MUST be called on the thread of the loop that owns the
 * handle.</b> The privcmd device stays the caller's: {@link #close()} closes only the timer.
 */
public final class KernelBoundPorts implements EventChannelDevice {

    private static final int CLOCK_MONOTONIC = 1;
    private static final int TFD_NONBLOCK = 0x800;
    private static final int TFD_CLOEXEC = 0x80000;
    private static final int EAGAIN = 11;
    /** {@code struct itimerspec}: {interval {sec, nsec}, first expiry {sec, nsec}}. */
    private static final long ITIMERSPEC_BYTES = 32;
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final long ERRNO_OFFSET = CALL_STATE.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle TIMERFD_CREATE = downcall("timerfd_create", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle TIMERFD_SETTIME =
            downcall("timerfd_settime", JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);

    private final LinuxPrivcmd privcmd;
    private final int timer;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment expirations = arena.allocate(JAVA_LONG);
    private final IntHashSet adopted = new IntHashSet();
    private final IntHashSet masked = new IntHashSet();
    private boolean closed;

    private KernelBoundPorts(LinuxPrivcmd privcmd, int timer) {
        this.privcmd = privcmd;
        this.timer = timer;
    }

    /**
     * A device that notifies through {@code privcmd} and reports each adopted port pending every
     * {@code recheck} (at least 100 µs).
     *
     * @throws ErrnoException if the timerfd cannot be made or armed
     */
    public static KernelBoundPorts open(LinuxPrivcmd privcmd, Duration recheck) {
        Objects.requireNonNull(privcmd, "privcmd");
        if (recheck.compareTo(Duration.ofNanos(100_000)) < 0) {
            throw new IllegalArgumentException("recheck must be at least 100 µs, was " + recheck);
        }
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = call.allocate(CALL_STATE);
            int fd = (int) TIMERFD_CREATE.invokeExact(state, CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
            if (fd < 0) {
                throw ErrnoException.of("timerfd_create", "CLOCK_MONOTONIC", state.get(JAVA_INT, ERRNO_OFFSET));
            }
            MemorySegment spec = call.allocate(ITIMERSPEC_BYTES, 8);
            for (long offset : new long[] {0, 16}) {
                spec.set(JAVA_LONG, offset, recheck.getSeconds());
                spec.set(JAVA_LONG, offset + 8, recheck.getNano());
            }
            int r = (int) TIMERFD_SETTIME.invokeExact(state, fd, 0, spec, MemorySegment.NULL);
            if (r < 0) {
                int errno = state.get(JAVA_INT, ERRNO_OFFSET);
                Libc.close(fd);
                throw ErrnoException.of("timerfd_settime", "every " + recheck, errno);
            }
            return new KernelBoundPorts(privcmd, fd);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("unexpected checked exception from a downcall", t);
        }
    }

    /**
     * Takes {@code port}, bound by the kernel, into this device: it is notified through privcmd
     * and reported pending at every tick.
     *
     * @return the port
     */
    public int adopt(int port) {
        ensureOpen();
        if (port <= 0) {
            throw new IllegalArgumentException("port " + port + " is not a bound port (port 0 is never bound)");
        }
        adopted.add(port);
        return port;
    }

    @Override
    public int fd() {
        return timer;
    }

    @Override
    public int bindInterdomain(int remoteDomain, int remotePort) {
        throw unsupported("bindInterdomain");
    }

    @Override
    public int bindUnboundPort(int remoteDomain) {
        throw unsupported("bindUnboundPort");
    }

    @Override
    public int bindVirq(int virq) {
        throw unsupported("bindVirq");
    }

    /** Stops reporting {@code port}; the kernel keeps its binding. */
    @Override
    public void unbind(int port) {
        ensureOpen();
        adopted.remove(port);
        masked.remove(port);
    }

    /**
     * {@code EVTCHNOP_send} on an adopted port.
     *
     * @throws IllegalArgumentException if the port was not adopted
     */
    @Override
    public void notify(int port) {
        ensureOpen();
        if (!adopted.contains(port)) {
            throw new IllegalArgumentException("port " + port + " was not adopted by " + this);
        }
        privcmd.sendEvent(port);
    }

    /** If the timer ticked since the last call, reports every adopted port that is not masked. */
    @Override
    public int takePending(int[] ports) {
        ensureOpen();
        long r = Libc.read(timer, expirations, JAVA_LONG.byteSize());
        if (r == -EAGAIN) {
            return 0;
        }
        if (r < 0) {
            throw ErrnoException.of("read", "timerfd " + timer, (int) -r);
        }
        int n = 0;
        for (IntHashSet.IntIterator it = adopted.iterator(); it.hasNext() && n < ports.length; ) {
            int port = it.nextValue();
            if (masked.add(port)) {
                ports[n++] = port;
            }
        }
        return n;
    }

    @Override
    public void unmask(int port) {
        masked.remove(port);
    }

    /** Stops reporting every port. */
    @Override
    public void reset() {
        ensureOpen();
        adopted.clear();
        masked.clear();
    }

    /** Stops reporting and closes the timer; the privcmd device stays open. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        adopted.clear();
        arena.close();
        int r = Libc.close(timer);
        if (r < 0) {
            throw ErrnoException.of("close", "timerfd " + timer, -r);
        }
    }

    @Override
    public String toString() {
        return "KernelBoundPorts[timerfd " + timer + ", ports " + adopted + (closed ? ", closed]" : "]");
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
    }

    private UnsupportedOperationException unsupported(String operation) {
        return new UnsupportedOperationException(operation + ": " + this
                + " only adopts ports the kernel bound; bind through /dev/xen/evtchn");
    }

    // Restricted: binding C functions (timerfd is not in io-unix's Libc). Users grant it with
    // --enable-native-access (ALL-UNNAMED on the class path).
    @SuppressWarnings("restricted")
    private static MethodHandle downcall(String name, MemoryLayout result, MemoryLayout... arguments) {
        Linker linker = Linker.nativeLinker();
        MemorySegment symbol = linker.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("no C function " + name));
        return linker.downcallHandle(symbol, FunctionDescriptor.of(result, arguments),
                Linker.Option.captureCallState("errno"));
    }
}
