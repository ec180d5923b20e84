package dev.weft.bench.load;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@code --name value} options of a harness tool. Immutable after parsing; used by the main
 * thread only.
 *
 * <p>Every target the harness drives must be on this machine, so {@link #loopbackTarget()} refuses any
 * address that is not loopback rather than trusting the caller.
 */
public final class CommandLine {

    private final Map<String, String> options;

    private CommandLine(Map<String, String> options) {
        this.options = options;
    }

    /**
     * Parses {@code --name value} pairs.
     *
     * @param args the arguments of {@code main}
     * @return the options
     * @throws IllegalArgumentException if an argument is not a {@code --name value} pair
     */
    public static CommandLine parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 == args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got '" + args[i]
                        + "' at position " + i + "; e.g. --port 8080");
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        return new CommandLine(options);
    }

    /**
     * Whether the option {@code name} was given.
     *
     * @param name the option's name, without dashes
     * @return true if it was given
     */
    public boolean has(String name) {
        return options.containsKey(name);
    }

    /**
     * The required text option {@code name}.
     *
     * @param name the option's name, without dashes
     * @return the value
     * @throws IllegalArgumentException if the option is absent
     */
    public String text(String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException("missing --" + name);
        }
        return value;
    }

    /**
     * The text option {@code name}, or {@code fallback} when it is absent.
     *
     * @param name the option's name, without dashes
     * @param fallback the value when the option is absent
     * @return the value
     */
    public String textOr(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    /**
     * The integer option {@code name}, or {@code fallback} when it is absent.
     *
     * @param name the option's name, without dashes
     * @param fallback the value when the option is absent
     * @return the value
     * @throws IllegalArgumentException if the value is not an integer
     */
    public long integer(String name, long fallback) {
        String value = options.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be an integer, got '" + value + "'", e);
        }
    }

    /**
     * The required integer option {@code name}.
     *
     * @param name the option's name, without dashes
     * @return the value
     * @throws IllegalArgumentException if the option is absent or not an integer
     */
    public int requiredInt(String name) {
        if (!options.containsKey(name)) {
            throw new IllegalArgumentException("missing --" + name + " (e.g. --" + name + " 8080)");
        }
        return Math.toIntExact(integer(name, 0));
    }

    /**
     * The address given by {@code --host} (default 127.0.0.1) and {@code --port}.
     *
     * @return the target address, always a loopback one
     * @throws IllegalArgumentException if the host is not a loopback address or the port is missing
     */
    public InetSocketAddress loopbackTarget() {
        String host = options.getOrDefault("host", "127.0.0.1");
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--host " + host + " does not resolve", e);
        }
        if (!address.isLoopbackAddress()) {
            throw new IllegalArgumentException("--host " + host + " is not a loopback address: the harness"
                    + " only drives servers on this machine (use 127.0.0.1 or ::1)");
        }
        return new InetSocketAddress(address, requiredInt("port"));
    }
}
