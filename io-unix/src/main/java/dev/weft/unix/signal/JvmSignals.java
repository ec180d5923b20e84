package dev.weft.unix.signal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Proxy;
import java.util.function.Consumer;

/**
 * The bridge to {@code sun.misc.Signal} (module jdk.unsupported), reached through method handles.
 *
 * <p>Why not name the class directly: javac reports every use of {@code sun.misc.Signal} as
 * "internal proprietary API", a warning no annotation suppresses, and the build treats warnings
 * as errors. The API itself is supported for exactly this use (it is exported by
 * jdk.unsupported), so it is called reflectively, and a {@link Proxy} implements its
 * {@code SignalHandler} interface.
 *
 * <p>Threading: any thread. The JVM runs each handler on a thread of its own, made per signal.
 */
final class JvmSignals {

    private static final Class<?> SIGNAL;
    private static final Class<?> HANDLER;
    private static final MethodHandle NEW_SIGNAL;
    private static final MethodHandle HANDLE;

    static {
        try {
            SIGNAL = Class.forName("sun.misc.Signal");
            HANDLER = Class.forName("sun.misc.SignalHandler");
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            NEW_SIGNAL = lookup.findConstructor(SIGNAL, MethodType.methodType(void.class, String.class));
            HANDLE = lookup.findStatic(SIGNAL, "handle", MethodType.methodType(HANDLER, SIGNAL, HANDLER));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private JvmSignals() {}

    /** A handler object that calls {@code onSignal} with the signal's name, e.g. {@code "HUP"}. */
    static Object handler(Consumer<String> onSignal) {
        return Proxy.newProxyInstance(JvmSignals.class.getClassLoader(), new Class<?>[] {HANDLER}, (proxy, method, args) ->
                switch (method.getName()) {
                    case "handle" -> {
                        onSignal.accept(name(args[0]));
                        yield null;
                    }
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "weft signal handler";
                    default -> throw new UnsupportedOperationException(method.toString());
                });
    }

    /**
     * Installs {@code handler} for the signal named {@code name}.
     *
     * @return the handler it replaces, to give back to {@link #install} later
     * @throws IllegalArgumentException if the JVM or the OS keeps that signal for itself (or -Xrs)
     */
    static Object install(String name, Object handler) {
        try {
            return HANDLE.invoke(NEW_SIGNAL.invoke(name), handler);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("sun.misc.Signal.handle(" + name + ") failed", e);
        }
    }

    private static String name(Object signal) {
        String text = signal.toString(); // "SIGHUP"
        return text.startsWith("SIG") ? text.substring(3) : text;
    }
}
