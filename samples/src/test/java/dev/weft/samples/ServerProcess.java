package dev.weft.samples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A sample server in a child JVM, started through {@code bash -c 'ulimit -n N; exec java ...'} so
 * that it runs under its own fd limit: a server that runs out of fds must not take the test JVM
 * with it. Knows the port the server printed, its open fd count and resident memory (from
 * /proc), and what it wrote to standard error. Closing it kills the process.
 */
final class ServerProcess implements AutoCloseable {
    private static final Pattern PORT = Pattern.compile(" on \\S*?:(\\d+)");

    private final Process process;
    private final int port;
    private final StringBuffer stderr = new StringBuffer();

    private ServerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts {@code mainClass} of the samples with {@code args} and {@code --port 0}, with at most
     * {@code maxFds} open fds and the given JVM options, and waits until it printed its port.
     */
    static ServerProcess start(String mainClass, int maxFds, List<String> jvmOptions, List<String> args)
            throws IOException, InterruptedException {
        List<String> serverArgs = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", "0"));
        serverArgs.addAll(args);
        Process process = launch(mainClass, maxFds, jvmOptions, serverArgs);
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Integer> port = CompletableFuture.supplyAsync(() -> readPort(out));
        ServerProcess server;
        try {
            server = new ServerProcess(process, port.get(60, TimeUnit.SECONDS));
        } catch (Exception e) {
            process.destroyForcibly();
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            throw new IllegalStateException("the server did not print its port: " + err, e);
        }
        server.collect(process.getErrorStream(), server.stderr);
        Thread.ofVirtual().start(() -> drain(out)); // keep its stdout from filling the pipe
        return server;
    }

    /**
     * Runs {@code mainClass} (of the samples or their tests) with {@code args} and at most {@code
     * maxFds} open fds to its end, for at most 60 s: what it wrote to standard output, then to
     * standard error.
     */
    static String run(String mainClass, int maxFds, List<String> args) throws IOException, InterruptedException {
        return runToExit(mainClass, maxFds, args).output();
    }

    /** How a program run by {@link #runToExit} ended: its exit status (-1 if it had to be killed) and output. */
    record Exit(int status, String output) {}

    /** {@link #run}, with the exit status too. */
    static Exit runToExit(String mainClass, int maxFds, List<String> args) throws IOException, InterruptedException {
        Process process = launch(mainClass, maxFds, List.of(), args);
        CompletableFuture<String> out = readAll(process.getInputStream());
        CompletableFuture<String> err = readAll(process.getErrorStream());
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            return new Exit(-1, "still running after 60 s, killed");
        }
        return new Exit(process.exitValue(), out.join() + err.join());
    }

    private static CompletableFuture<String> readAll(java.io.InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Starts {@code java mainClass args} in {@code bash -c 'ulimit -n maxFds && exec ...'}. */
    private static Process launch(String mainClass, int maxFds, List<String> jvmOptions, List<String> args)
            throws IOException {
        List<String> java = javaCommand(mainClass, jvmOptions);
        java.addAll(args);
        StringBuilder command = new StringBuilder("ulimit -n " + maxFds + " && exec");
        for (String word : java) {
            command.append(" '").append(word.replace("'", "'\\''")).append('\'');
        }
        return new ProcessBuilder("bash", "-c", command.toString()).start();
    }

    /**
     * The command that runs {@code mainClass} of the samples in a child JVM as a user runs it (native
     * access granted), on the test JVM's own paths, with {@code jvmOptions}; the caller appends the
     * program's arguments.
     */
    static List<String> javaCommand(String mainClass, List<String> jvmOptions) {
        List<String> java = new ArrayList<>();
        java.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        java.add("--enable-native-access=ALL-UNNAMED");
        java.addAll(jvmOptions);
        java.add("-cp");
        java.add(classPath());
        java.add(mainClass);
        return java;
    }

    /** The test JVM's own class and module path: the samples, io-unix, core-loop, promises, deps. */
    private static String classPath() {
        StringBuilder path = new StringBuilder(System.getProperty("java.class.path", ""));
        String modules = System.getProperty("jdk.module.path");
        if (modules != null && !modules.isEmpty()) {
            path.append(java.io.File.pathSeparatorChar).append(modules);
        }
        return path.toString();
    }

    private static int readPort(BufferedReader out) {
        try {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                Matcher m = PORT.matcher(line);
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("the server's output ended without a port");
    }

    private void collect(java.io.InputStream stream, StringBuffer into) {
        Thread.ofVirtual().start(() -> {
            try (BufferedReader err = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line = err.readLine(); line != null; line = err.readLine()) {
                    into.append(line).append('\n');
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
    }

    private static void drain(BufferedReader out) {
        try {
            while (out.readLine() != null) {
                // discard
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    int port() {
        return port;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** What the server wrote to standard error so far. */
    String stderr() {
        return stderr.toString();
    }

    /** How many fds the server has open now (/proc/PID/fd). */
    long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(process.pid()), "fd"))) {
            return fds.count();
        }
    }

    /**
     * The server's fd count once it is back to {@code expected}, or what it is after 10 s: the
     * server closes its side when it processes a close, a moment after the client's.
     */
    long awaitFds(long expected) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long fds = openFds();
        while (fds != expected && System.nanoTime() < deadline) {
            Thread.sleep(20); // polling a count in another process: there is nothing to wait on
            fds = openFds();
        }
        return fds;
    }

    /** The names of the server's threads now (/proc/PID/task/TID/comm; Linux cuts them to 15 bytes). */
    java.util.Set<String> threadNames() throws IOException {
        java.util.Set<String> names = new java.util.HashSet<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(process.pid()), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    names.add(Files.readString(task.resolve("comm")).strip());
                } catch (IOException ended) {
                    // the thread ended meanwhile
                }
            }
        }
        return names;
    }

    /** Whether one of the server's fds is the socket with this inode (see {@link TcpTable.Entry#inode()}). */
    boolean holdsSocket(long inode) throws IOException {
        String link = "socket:[" + inode + "]";
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(process.pid()), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals(link)) {
                        return true;
                    }
                } catch (IOException closedMeanwhile) {
                    // the fd was closed while we listed them
                }
            }
        }
        return false;
    }

    /**
     * The server's Java thread dump ({@code jcmd PID Thread.print}): where each loop thread is,
     * blocked in epoll_wait or running. For the report of a failed test; waits at most 30 s.
     */
    String threadDump() {
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(process.pid()), "Thread.print").redirectErrorStream(true).start();
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return "jcmd output unreadable: " + e;
                }
            });
            if (!jcmd.waitFor(30, TimeUnit.SECONDS)) {
                jcmd.destroyForcibly();
                return "jcmd Thread.print did not answer within 30 s";
            }
            return output.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            return "no thread dump: " + e;
        }
    }

    /** The server's resident set size in KiB (VmRSS in /proc/PID/status). */
    long residentKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for " + process.pid());
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
