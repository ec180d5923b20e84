package dev.weft.xen.linux;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Xen's toolstack ({@code xl}) for the real-Xen tests that start guest domains: each call is
 * bounded and fails the test with xl's own words, and with the end of the guest's console, which
 * is where a guest that never came up says why. Threading: the test's thread.
 */
public final class Xl {
    private static final String XL = "/usr/lib/xen-4.17/bin/xl";

    private final Path dir;
    private final Supplier<String> guestConsole;

    /** xl writing its output under {@code dir}; {@code guestConsole} describes the guest on failure. */
    public Xl(Path dir, Supplier<String> guestConsole) {
        this.dir = dir;
        this.guestConsole = guestConsole;
    }

    /** Runs xl with {@code args} for at most {@code patience}; returns its output, or fails with it. */
    public String run(Duration patience, String... args) throws IOException, InterruptedException {
        Path output = dir.resolve("xl.out");
        String[] command = new String[args.length + 1];
        command[0] = XL;
        System.arraycopy(args, 0, command, 1, args.length);
        Process xl = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        if (!xl.waitFor(patience.toSeconds(), TimeUnit.SECONDS)) {
            xl.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("xl " + String.join(" ", args) + " did not finish within " + patience
                    + ": " + Files.readString(output) + "; guest console: " + guestConsole.get());
        }
        String text = Files.readString(output, StandardCharsets.UTF_8);
        if (xl.exitValue() != 0) {
            throw new AssertionError("xl " + String.join(" ", args) + " failed with status " + xl.exitValue() + ": " + text);
        }
        return text;
    }

    /**
     * Creates the domain {@code name} from {@code config} (bounded by {@code createPatience}) and
     * returns its domain id, failing the test if xl names none.
     */
    public int create(Path config, String name, Duration createPatience, Duration patience)
            throws IOException, InterruptedException {
        run(createPatience, "create", config.toString());
        List<String> lines = run(patience, "domid", name).strip().lines().toList();
        String id = lines.isEmpty() ? "" : lines.getLast().strip();
        if (!id.matches("[1-9][0-9]{0,4}")) {
            throw new AssertionError("xl domid " + name + " printed no domain id: " + lines);
        }
        return Integer.parseInt(id);
    }
}
