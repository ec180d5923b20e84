package dev.weft.bench.xen;

import dev.weft.bench.load.CommandLine;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./weft bench xen}, block rows: random 4 KiB reads and writes at queue depth 1 and 32
 * through {@link dev.weft.xen.blk.Blkfront} against the software blkback on the hypervisor model,
 * beside the same I/O done directly on the file by an io-unix loop through its {@link
 * dev.weft.unix.blocking.BlockingPool}, in one JVM and one run, over one stamped image file.
 *
 * <p>Both paths serve the same file with a pool of {@code --pool-threads} threads. Each row is one
 * warm-up run (discarded) and {@code --runs} measured runs of {@code --seconds}, the two paths
 * alternating row by row; the table shows the median IOPS, every run, and the p50/p99 latency
 * (issue to completion) of the median run. Every read checks its block's stamp; a mismatch fails
 * the benchmark. Prints the table on standard output.
 *
 * <p>Usage: {@code BlockBench [--seconds 5] [--runs 3] [--image-mib 64] [--pool-threads 2]}; other
 * options (those of RingBench) are ignored. The image goes in {@code $WEFT_BENCH_BLOCK_DIR}, else
 * {@code /dev/shm} (tmpfs: the page cache only, so the rows compare the paths, not a disk), else
 * the JVM's temporary directory; the table names the directory and its file system.
 */
public final class BlockBench {
    private static final int[] DEPTHS = {1, 32};

    private BlockBench() {}

    /** One row of one path: each measured run. */
    private record Row(List<RandomIo.Result> results) {
        RandomIo.Result median() {
            List<RandomIo.Result> sorted = new ArrayList<>(results);
            sorted.sort(Comparator.comparingDouble(RandomIo.Result::perSecond));
            return sorted.get(sorted.size() / 2);
        }

        String runs() {
            List<String> each = new ArrayList<>();
            for (RandomIo.Result result : results) {
                each.add(String.format(Locale.ROOT, "%.0f", result.perSecond()));
            }
            return String.join("/", each);
        }

        long mismatches() {
            return results.stream().mapToLong(RandomIo.Result::mismatches).sum();
        }
    }

    /**
     * Creates the image, runs both paths and prints the table.
     *
     * @param args the options above
     * @throws Exception if a path fails to start or a run fails
     */
    public static void main(String[] args) throws Exception {
        CommandLine cl = CommandLine.parse(args);
        long nanos = TimeUnit.SECONDS.toNanos(cl.integer("seconds", 5));
        int runs = Math.toIntExact(cl.integer("runs", 3));
        long mib = cl.integer("image-mib", 64);
        int poolThreads = Math.toIntExact(cl.integer("pool-threads", 2));
        String chosen = System.getenv("WEFT_BENCH_BLOCK_DIR");
        Path dir = Path.of(chosen != null ? chosen : "/dev/shm");
        if (!Files.isDirectory(dir)) {
            dir = Path.of(System.getProperty("java.io.tmpdir"));
        }
        long mismatches = 0;
        try (DiskImage image = DiskImage.create(dir, mib * (1 << 20) / DiskImage.BLOCK);
             BlockPath blkfront = new BlkfrontOnModel(image.path(), poolThreads);
             BlockPath file = new DirectFile(image.path(), poolThreads);
             Arena arena = Arena.ofShared()) {
            System.out.printf(Locale.ROOT, "random 4 KiB I/O over a %d MiB image in %s (%s); BlockingPool of %d threads "
                    + "on each path; median of runs, latency issue->completion of the median run%n",
                    mib, dir, fileSystemOf(dir), poolThreads);
            System.out.printf(Locale.ROOT, "%-16s %10s %8s %8s   %10s %8s %8s %9s   %s%n", "",
                    "blkfront", "p50 us", "p99 us", "file", "p50 us", "p99 us", "blk/file", "IOPS runs: blkfront | file");
            for (boolean write : new boolean[] {false, true}) {
                for (int depth : DEPTHS) {
                    Row viaBlkfront = measure(blkfront, image, write, depth, nanos, runs, arena);
                    Row direct = measure(file, image, write, depth, nanos, runs, arena);
                    mismatches += viaBlkfront.mismatches() + direct.mismatches();
                    System.out.println(row((write ? "write" : "read") + ", depth " + depth, viaBlkfront, direct));
                }
            }
        }
        if (mismatches != 0) {
            throw new IllegalStateException(mismatches + " reads returned the wrong block: the benchmark computed the wrong thing");
        }
    }

    private static String fileSystemOf(Path dir) {
        try {
            return Files.getFileStore(dir).type();
        } catch (IOException unknown) {
            return "file system unknown";
        }
    }

    private static Row measure(BlockPath path, DiskImage image, boolean write, int depth, long nanos, int runs,
                               Arena arena) throws Exception {
        System.err.printf(Locale.ROOT, "weft bench xen: %s, random 4 KiB %s, depth %d: warm-up + %d x %d s%n",
                path.name(), write ? "writes" : "reads", depth, runs, TimeUnit.NANOSECONDS.toSeconds(nanos));
        once(path, image, write, depth, nanos, arena, 0);
        List<RandomIo.Result> results = new ArrayList<>();
        for (int i = 1; i <= runs; i++) {
            results.add(once(path, image, write, depth, nanos, arena, i));
        }
        return new Row(results);
    }

    /** One run of {@code nanos} on {@code path}'s loop. */
    static RandomIo.Result once(BlockPath path, DiskImage image, boolean write, int depth, long nanos, Arena arena,
                                long seed) throws Exception {
        return path.<RandomIo.Result>on(() -> RandomIo.run(path.block(), write, depth, image.blocks(), nanos, arena, seed))
                .get(nanos / 1_000_000_000L + 60, TimeUnit.SECONDS);
    }

    private static String row(String what, Row viaBlkfront, Row direct) {
        RandomIo.Result blk = viaBlkfront.median();
        RandomIo.Result file = direct.median();
        return String.format(Locale.ROOT, "%-16s %10.0f %8.1f %8.1f   %10.0f %8.1f %8.1f %8.2fx   %s | %s", what,
                blk.perSecond(), blk.latency().percentileMicros(0.50), blk.latency().percentileMicros(0.99),
                file.perSecond(), file.latency().percentileMicros(0.50), file.latency().percentileMicros(0.99),
                blk.perSecond() / file.perSecond(), viaBlkfront.runs(), direct.runs());
    }
}
