package dev.weft.samples;

import dev.weft.loop.Engine;
import dev.weft.loop.LoopGroup;
import dev.weft.unix.EngineKind;
import dev.weft.unix.Engines;
import dev.weft.unix.net.FlowOptions;
import java.net.InetSocketAddress;
import java.time.Duration;
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

    /** The value of a declared option, or null if it has no default and was not given. */
    String text(String name) {
        return values.get(name);
    }

    /** The value of a declared integer option. */
    int integer(String name) {
        return Integer.parseInt(values.get(name));
    }

    /** The value of a declared option counted in milliseconds, as a duration. */
    Duration millis(String name) {
        return Duration.ofMillis(Long.parseLong(values.get(name)));
    }

    /** {@code --host} and {@code --port} as an address. */
    InetSocketAddress address() {
        return new InetSocketAddress(values.get("host"), integer("port"));
    }

    /** The engine {@code --engine} names, or the platform's default. */
    Engine engine() {
        String name = values.get("engine");
        return name == null ? Engines.defaultEngine() : Engines.open(EngineKind.valueOf(name.toUpperCase(Locale.ROOT)));
    }

    /**
     * The flows' water marks ({@link FlowOptions#DEFAULT}) with {@code --write-timeout-ms} as the
     * write timeout.
     */
    FlowOptions flowOptions() {
        return FlowOptions.DEFAULT.withWriteTimeout(millis("write-timeout-ms"));
    }

    /**
     * A group of {@code --loops} loops named {@code name}, each on the engine {@code --engine}
     * names (a new one per loop), not yet started.
     */
    LoopGroup loopGroup(String name) {
        return LoopGroup.builder().name(name).loops(integer("loops")).engines(i -> engine()).build();
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
