package dev.weft.xen.fairness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** {@link ReadTurns} is shared inside io-xen, not offered to its users, and keeps counting turns. */
class ReadTurnsTest {

    @Test
    void itsPackageIsNotExportedByTheModule() throws Exception {
        Path classes = Path.of(ReadTurns.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleDescriptor module;
        try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
            module = ModuleDescriptor.read(in);
        }
        Set<String> exported = module.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        assertEquals("dev.weft.xen", module.name());
        assertTrue(exported.contains("dev.weft.xen.ring"));
        assertFalse(exported.contains(ReadTurns.class.getPackageName()));
    }

    @Test
    void aTurnIsUsedUpAfterSixteenReadsAndANewTurnStartsTheCountAgain() {
        ReadTurns turns = new ReadTurns(() -> { });
        for (int read = 0; read < ReadTurns.PER_TURN; read++) {
            assertFalse(turns.usedUp());
            turns.read();
        }
        assertTrue(turns.usedUp());
        turns.newTurn();
        assertFalse(turns.usedUp());
    }
}
