package dev.weft.samples;

import dev.weft.loop.Engine;
import dev.weft.loop.LoopGroup;
import dev.weft.unix.EngineKind;
import dev.weft.unix.Engines;
import dev.weft.unix.net.FlowOptions;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The command-line options the network samples share: {@code --host}, {@code --port},
 * {@code --engine epoll|nio}, plus whatever numeric options a sample declares.
 */
final class SampleOptions {
    private final Map<String, String> values = new HashMap<>();

    private final String usage;

    private SampleOptions(String usage) {
        this.usage = usage;
    }

    /**
     * Parses {@code --name value} pairs; an option not in {@code defaults} prints {@code usage}
     * and exits with status 2.
     *
     * @param defaults every accepted option name (without dashes) and its default; a null default
     *     means "unset"
     */
    static SampleOptions parse(String[] args, String usage, Map<String, String> defaults) {
        SampleOptions options = new SampleOptions(usage);
        options.values.putAll(defaults);
        for (int i = 0; i < args.length; i++) {
            String name = args[i].startsWith("--") ? args[i].substring(2) : "";
            if (!defaults.containsKey(name) || i + 1 == args.length) {
                options.fail(args[i] + (i + 1 == args.length ? " needs a value" : " is not an option"));
            }
            options.values.put(name, args[++i]);
        }
        return options;
    }

    /** Prints {@code problem} and the usage, and exits with status 2. */
    void fail(String problem) {
        System.err.println(problem);
        System.err.println("usage: " + usage);
        System.exit(2);
    }

    /**
     * {@link #fail}s naming option {@code name}, its value and what it needs: what a value the
     * sample cannot use gets, instead of a stack trace from deep in the startup.
     */
    private <T> T invalid(String name, String needs) {
        fail("--" + name + " " + values.get(name) + ": " + needs);
        throw new IllegalStateException("unreachable: exited"); // System.exit does not return
    }

    /** The value of a declared option, or null if it has no default and was not given. */
    String text(String name) {
        return values.get(name);
    }

    /** The value of a declared integer option; a value that is not one fails (see {@link #fail}). */
    int integer(String name) {
        try {
            return Integer.parseInt(values.get(name));
        } catch (NumberFormatException e) {
            return invalid(name, "not a whole number");
        }
    }

    /** The value of a declared option counted in milliseconds, as a duration; negative or not a number fails. */
    Duration millis(String name) {
        long millis;
        try {
            millis = Long.parseLong(values.get(name));
        } catch (NumberFormatException e) {
            return invalid(name, "not a number of milliseconds");
        }
        return millis >= 0 ? Duration.ofMillis(millis) : invalid(name, "a duration cannot be negative");
    }

    /** {@link #millis}, which must be more than zero (a timeout). */
    Duration positiveMillis(String name) {
        Duration duration = millis(name);
        return duration.isZero() ? invalid(name, "a timeout must be more than 0 ms") : duration;
    }

    /** {@code --host} and {@code --port} as an address, resolved now; a port out of range or an unknown host fails. */
    InetSocketAddress address() {
        int port = integer("port");
        if (port < 0 || port > 65535) {
            return invalid("port", "a port is 0 (any free one) to 65535");
        }
        InetSocketAddress address = new InetSocketAddress(values.get("host"), port);
        return address.isUnresolved() ? invalid("host", "no such host") : address;
    }

    /** The engine {@code --engine} names, or the platform's default. */
    Engine engine() {
        EngineKind kind = engineKind();
        return kind == null ? Engines.defaultEngine() : Engines.open(kind);
    }

    /** The engine {@code --engine} names, or null for the platform's default; an unknown name fails. */
    private EngineKind engineKind() {
        String name = values.get("engine");
        if (name == null) {
            return null;
        }
        try {
            return EngineKind.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return invalid("engine", "the engines are " + Arrays.toString(EngineKind.values()).toLowerCase(Locale.ROOT));
        }
    }

    /**
     * The flows' water marks ({@link FlowOptions#DEFAULT}) with {@code --write-timeout-ms} as the
     * write timeout.
     */
    FlowOptions flowOptions() {
        return FlowOptions.DEFAULT.withWriteTimeout(positiveMillis("write-timeout-ms"));
    }

    /**
     * A group of {@code --loops} loops named {@code name}, each on the engine {@code --engine}
     * names (a new one per loop), not yet started.
     */
    LoopGroup loopGroup(String name) {
        return LoopGroup.builder().name(name).loops(loops()).engines(i -> engine()).build();
    }

    private int loops() {
        int loops = integer("loops");
        return loops >= 1 ? loops : invalid("loops", "a server needs at least one loop");
    }

    /**
     * Checks a server's options ({@link #server}'s and the network ones) now, so that a value the
     * server cannot use fails ({@link #fail}) before any loop starts rather than as a stack trace
     * from the middle of the startup.
     *
     * @return these options
     */
    SampleOptions checkServer() {
        address();
        engineKind();
        loops();
        flowOptions();
        grace();
        return this;
    }

    /** {@code --grace-ms}: how long a graceful shutdown may take (connections drain, exit hooks run). */
    Duration grace() {
        return millis("grace-ms");
    }

    /**
     * The network options and a server's: {@code --write-timeout-ms} (default 30 s), {@code
     * --loops} (default one per available processor) and {@code --grace-ms} (default 5 s).
     */
    static Map<String, String> server(int defaultPort) {
        Map<String, String> defaults = network(defaultPort);
        defaults.put("grace-ms", "5000");
        defaults.put("write-timeout-ms", Long.toString(FlowOptions.DEFAULT.writeTimeout().toMillis()));
        defaults.put("loops", Integer.toString(Runtime.getRuntime().availableProcessors()));
        return defaults;
    }

    /** The defaults of the shared options, to extend with a sample's own. */
    static Map<String, String> network(int defaultPort) {
        Map<String, String> defaults = new HashMap<>();
        defaults.put("host", "127.0.0.1");
        defaults.put("port", Integer.toString(defaultPort));
        defaults.put("engine", null);
        return defaults;
    }
}
