package dev.weft.unix.nio;

import static dev.weft.loop.Engine.READABLE;
import static dev.weft.loop.Engine.WRITABLE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.channels.SelectionKey;
import org.junit.jupiter.api.Test;

/** What only the NIO engine does; the shared behaviour is in EngineContractTest. */
class NioEngineTest {

    @Test
    void readinessMapsEveryCombinationOfReadyOperationsAsDocumented() {
        int[] operations = {SelectionKey.OP_READ, SelectionKey.OP_WRITE, SelectionKey.OP_CONNECT, SelectionKey.OP_ACCEPT};
        for (int combination = 0; combination < 1 << operations.length; combination++) {
            int readyOps = 0;
            for (int i = 0; i < operations.length; i++) {
                if ((combination & (1 << i)) != 0) {
                    readyOps |= operations[i];
                }
            }
            int expected = ((readyOps & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT)) != 0 ? READABLE : 0)
                    | ((readyOps & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT)) != 0 ? WRITABLE : 0);

            assertEquals(expected, NioEngine.readiness(readyOps), "ready operations 0x" + Integer.toHexString(readyOps));
        }
    }
}
