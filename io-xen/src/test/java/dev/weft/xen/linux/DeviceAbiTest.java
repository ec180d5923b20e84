package dev.weft.xen.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden values for the Linux Xen device ABI: every ioctl number and every struct size and field
 * offset {@link DeviceAbi} declares, against the _IOC formula, against the values read off
 * include/uapi/xen/{evtchn,gntalloc,gntdev}.h, and (where gcc and the headers are installed, as
 * linux-libc-dev provides them) against a C program compiled from the kernel's own headers.
 */
class DeviceAbiTest {

    @TempDir
    Path work;

    @Test
    void ioctlNumbersAreIocNoneOfTheirTypeNumberAndStructSize() {
        assertEquals(0x00044500L, DeviceAbi.IOCTL_EVTCHN_BIND_VIRQ);
        assertEquals(0x00084501L, DeviceAbi.IOCTL_EVTCHN_BIND_INTERDOMAIN);
        assertEquals(0x00044502L, DeviceAbi.IOCTL_EVTCHN_BIND_UNBOUND_PORT);
        assertEquals(0x00044503L, DeviceAbi.IOCTL_EVTCHN_UNBIND);
        assertEquals(0x00044504L, DeviceAbi.IOCTL_EVTCHN_NOTIFY);
        assertEquals(0x00004505L, DeviceAbi.IOCTL_EVTCHN_RESET);
        assertEquals(0x00184705L, DeviceAbi.IOCTL_GNTALLOC_ALLOC_GREF);
        assertEquals(0x00104706L, DeviceAbi.IOCTL_GNTALLOC_DEALLOC_GREF);
        assertEquals(0x00104707L, DeviceAbi.IOCTL_GNTALLOC_SET_UNMAP_NOTIFY);
        assertEquals(0x00184700L, DeviceAbi.IOCTL_GNTDEV_MAP_GRANT_REF);
        assertEquals(0x00104701L, DeviceAbi.IOCTL_GNTDEV_UNMAP_GRANT_REF);
        assertEquals(0x00044703L, DeviceAbi.IOCTL_GNTDEV_SET_MAX_GRANTS);
        assertEquals(0x00104707L, DeviceAbi.IOCTL_GNTDEV_SET_UNMAP_NOTIFY);
    }

    @Test
    void theIocFormulaPutsSizeTypeAndNumberInTheirBits() {
        long number = DeviceAbi.ioc(DeviceAbi.IOC_NONE, 'G', 5, 24);

        assertEquals(24, (number >> 16) & 0x3fff, "size: bits 16-29");
        assertEquals('G', (number >> 8) & 0xff, "type: bits 8-15");
        assertEquals(5, number & 0xff, "number: bits 0-7");
        assertEquals(0, number >>> 30, "direction: _IOC_NONE");
    }

    @Test
    void aVariableLengthRequestIsItsHeadPlusItsEntriesButNeverLessThanTheCStruct() {
        // The kernel copies sizeof(struct) in, one-entry array included, before it reads the rest.
        assertEquals(24, DeviceAbi.variableSize(DeviceAbi.GNTALLOC_ALLOC_GREF, DeviceAbi.ALLOC_GREF_IDS, 4, 1));
        assertEquals(16 + 4 * 5, DeviceAbi.variableSize(DeviceAbi.GNTALLOC_ALLOC_GREF, DeviceAbi.ALLOC_GREF_IDS, 4, 5));
        assertEquals(16 + 8 * 3, DeviceAbi.variableSize(DeviceAbi.GNTDEV_MAP_GRANT_REF, DeviceAbi.MAP_REFS, 8, 3));
    }

    @Test
    void structSizesAndOffsetsAreTheKernelHeaders() {
        Map<String, Long> expected = new TreeMap<>(Map.ofEntries(
                Map.entry("sizeof(struct ioctl_evtchn_bind_virq)", 4L),
                Map.entry("sizeof(struct ioctl_evtchn_bind_interdomain)", 8L),
                Map.entry("offsetof(struct ioctl_evtchn_bind_interdomain, remote_port)", 4L),
                Map.entry("sizeof(struct ioctl_gntalloc_alloc_gref)", 24L),
                Map.entry("offsetof(struct ioctl_gntalloc_alloc_gref, flags)", 2L),
                Map.entry("offsetof(struct ioctl_gntalloc_alloc_gref, count)", 4L),
                Map.entry("offsetof(struct ioctl_gntalloc_alloc_gref, index)", 8L),
                Map.entry("offsetof(struct ioctl_gntalloc_alloc_gref, gref_ids)", 16L),
                Map.entry("sizeof(struct ioctl_gntalloc_dealloc_gref)", 16L),
                Map.entry("offsetof(struct ioctl_gntalloc_dealloc_gref, count)", 8L),
                Map.entry("sizeof(struct ioctl_gntalloc_unmap_notify)", 16L),
                Map.entry("offsetof(struct ioctl_gntalloc_unmap_notify, event_channel_port)", 12L),
                Map.entry("sizeof(struct ioctl_gntdev_grant_ref)", 8L),
                Map.entry("offsetof(struct ioctl_gntdev_grant_ref, ref)", 4L),
                Map.entry("sizeof(struct ioctl_gntdev_map_grant_ref)", 24L),
                Map.entry("offsetof(struct ioctl_gntdev_map_grant_ref, index)", 8L),
                Map.entry("offsetof(struct ioctl_gntdev_map_grant_ref, refs)", 16L),
                Map.entry("sizeof(struct ioctl_gntdev_unmap_grant_ref)", 16L),
                Map.entry("offsetof(struct ioctl_gntdev_unmap_grant_ref, count)", 8L),
                Map.entry("sizeof(struct ioctl_gntdev_set_max_grants)", 4L),
                Map.entry("sizeof(struct ioctl_gntdev_unmap_notify)", 16L),
                Map.entry("offsetof(struct ioctl_gntdev_unmap_notify, action)", 8L)));
        Map<String, Long> declared = declaredValues();

        Map<String, Long> actual = new TreeMap<>();
        expected.keySet().forEach(key -> actual.put(key, declared.get(key)));

        assertEquals(expected, actual);
    }

    @Test
    void gccCompilingTheKernelHeadersAgreesWithEveryValue_skippedWithoutGccOrXenHeaders()
            throws IOException, InterruptedException {
        assumeTrue(Files.isRegularFile(Path.of("/usr/include/xen/evtchn.h"))
                        && Files.isRegularFile(Path.of("/usr/include/xen/gntalloc.h"))
                        && Files.isRegularFile(Path.of("/usr/include/xen/gntdev.h")),
                "skipped: the kernel's Xen headers are not installed (/usr/include/xen/*.h, package linux-libc-dev)");
        assumeTrue(onPath("gcc"), "skipped: gcc is not installed, so the headers cannot be compiled");
        Map<String, Long> declared = declaredValues();
        assertEquals(13, declared.keySet().stream().filter(key -> key.startsWith("IOCTL_")).count(),
                "every ioctl DeviceAbi declares is checked");

        Map<String, Long> fromHeaders = compileAndRun(declared);

        assertEquals(new TreeMap<>(declared), new TreeMap<>(fromHeaders));
    }

    /**
     * Every value DeviceAbi declares, keyed by the C expression that gives it: each IOCTL_* and
     * flag constant by its macro name, each struct's sizeof, and each named field's offsetof and
     * sizeof.
     */
    private static Map<String, Long> declaredValues() {
        Map<String, Long> values = new LinkedHashMap<>();
        for (Field field : DeviceAbi.class.getDeclaredFields()) {
            if (!Modifier.isStatic(field.getModifiers())) {
                continue;
            }
            Object value = read(field);
            String name = field.getName();
            if (value instanceof StructLayout struct) {
                putStruct(values, struct);
            } else if (name.startsWith("IOCTL_") || name.startsWith("UNMAP_NOTIFY_") || name.startsWith("GNTALLOC_FLAG_")) {
                values.put(name, ((Number) value).longValue());
            }
        }
        return values;
    }

    private static void putStruct(Map<String, Long> values, StructLayout struct) {
        String cStruct = "struct " + struct.name().orElseThrow();
        values.put("sizeof(" + cStruct + ")", struct.byteSize());
        for (MemoryLayout member : struct.memberLayouts()) {
            if (member.name().isEmpty()) {
                continue; // padding: C's implicit
            }
            String field = member.name().get();
            values.put("offsetof(" + cStruct + ", " + field + ")",
                    struct.byteOffset(MemoryLayout.PathElement.groupElement(field)));
            values.put("sizeof(((" + cStruct + " *) 0)->" + field + ")", member.byteSize());
        }
    }

    private static Object read(Field field) {
        try {
            field.setAccessible(true);
            return field.get(null);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }

    private Map<String, Long> compileAndRun(Map<String, Long> keys) throws IOException, InterruptedException {
        StringBuilder c = new StringBuilder("""
                #include <stdio.h>
                #include <stddef.h>
                #include <stdint.h>
                #include <sys/ioctl.h>
                typedef uint16_t domid_t;     /* Xen's public types, which the uapi headers use but do not define */
                typedef uint32_t grant_ref_t;
                #include <xen/evtchn.h>
                #include <xen/gntalloc.h>
                #include <xen/gntdev.h>
                int main(void) {
                """);
        for (String expression : keys.keySet()) {
            c.append("    printf(\"%s\\t%llu\\n\", \"").append(expression).append("\", (unsigned long long) (")
                    .append(expression).append("));\n");
        }
        c.append("    return 0;\n}\n");
        Path source = Files.writeString(work.resolve("abi.c"), c);
        Path binary = work.resolve("abi");
        run(work.resolve("gcc.log"), "gcc", "-Wall", "-o", binary.toString(), source.toString());
        Path output = work.resolve("abi.out");
        run(output, binary.toString());
        Map<String, Long> values = new LinkedHashMap<>();
        for (String line : Files.readAllLines(output, StandardCharsets.UTF_8)) {
            String[] parts = line.split("\t");
            values.put(parts[0], Long.parseLong(parts[1]));
        }
        return values;
    }

    private static void run(Path output, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish within 60 s");
        }
        assertEquals(0, process.exitValue(), () -> String.join(" ", command) + " failed:\n" + readQuietly(output));
    }

    private static String readQuietly(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
