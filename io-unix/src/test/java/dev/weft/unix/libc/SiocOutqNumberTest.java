package dev.weft.unix.libc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SIOCOUTQ's number by architecture ({@link Libc#siocoutqFor}): Linux's uapi headers give it
 * three values, and an architecture not in the table gets none, which switches the watch of
 * unacknowledged output off rather than sending some other ioctl to every socket.
 */
class SiocOutqNumberTest {

    /** {@code _IOR(type, nr, int)} where the direction field has three bits (PowerPC, SPARC). */
    private static long readIntWithThreeBitDirection(char type, int nr) {
        long read = 2;
        long size = Integer.BYTES;
        return read << 29 | size << 16 | (long) type << 8 | nr;
    }

    @ParameterizedTest
    @ValueSource(strings = {"amd64", "x86_64", "x86", "i386", "i686", "aarch64", "arm", "riscv64", "s390x", "loongarch64"})
    void theArchitecturesOnAsmGenericIoctlsUse0x5411(String osArch) {
        assertEquals(0x5411, Libc.siocoutqFor(osArch));
    }

    @ParameterizedTest
    @ValueSource(strings = {"mips", "mipsel", "mips64", "mips64el"})
    void mipsUsesItsOwn0x7472(String osArch) {
        assertEquals(0x7472, Libc.siocoutqFor(osArch));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ppc", "ppc64", "ppc64le", "sparc", "sparcv9"})
    void powerPcAndSparcUseTheEncodedReadOfTIoctl115(String osArch) {
        assertEquals(readIntWithThreeBitDirection('t', 115), Libc.siocoutqFor(osArch));
        assertEquals(0x40047473, Libc.siocoutqFor(osArch));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"alpha", "sh4", "parisc", "", "AMD64"})
    void anArchitectureNotInTheTableHasNoNumber(String osArch) {
        assertEquals(-1, Libc.siocoutqFor(osArch));
    }

    @Test
    void theConstantIsTheNumberForTheArchitectureThisJvmRunsOn() {
        assertEquals(Libc.siocoutqFor(System.getProperty("os.arch")), Libc.SIOCOUTQ);
    }
}
