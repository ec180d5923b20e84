package dev.weft.unix.net;

import dev.weft.unix.Errno;
import dev.weft.unix.fdtable.FdTable;
import dev.weft.unix.socket.NativeSocket;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * Run by {@link FdReserveTest} in a JVM of its own under a low {@code ulimit -n}, so that nothing
 * is left to timing: three listeners' spares (epoll's eventfds) in a reserve of its own and the fd
 * table full. Two spares are given back and each freed fd is taken by a connection accepted
 * meanwhile (as another loop's accept takes it in a real shed), so two spares are missing at once;
 * then each of those two connections is offered to the reserve to pay one back. Prints {@code paid
 * <first> <second>, short <isShort>, held <spares held>}.
 */
final class SparesRepaidScenario {
    private static final int SPARES = 3;

    private SparesRepaidScenario() {}

    /**
     * @param args none
     */
    public static void main(String[] args) throws IOException {
        FdReserve reserve = new FdReserve();
        List<SpareDescriptor> spares = new ArrayList<>();
        for (int i = 0; i < SPARES; i++) {
            spares.add(reserve.add(false));
        }
        Endpoint listening = new NativeEndpoint(NativeSocket.stream(StandardProtocolFamily.INET));
        listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clients.add(new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) listening.localAddress()).getPort()));
        }
        Endpoint warmUp = listening.accept(); // loads what accepting and resetting use while fds are free
        warmUp.setOption(StandardSocketOptions.SO_LINGER, 0);
        warmUp.close();
        SpareDescriptor.isShortage(Errno.EMFILE); // and what a failed take uses (a listener's EMFILE loads it first)
        List<Closeable> fillers = FdTable.fill();

        spares.get(0).release();
        Endpoint first = listening.accept(); // takes the fd the spare gave back
        spares.get(1).release();
        Endpoint second = listening.accept();
        reserve.shed(listening, 0); // only counts what is missing: gives one spare back and takes one
        boolean firstPaid = reserve.repayWith(first);
        boolean secondPaid = reserve.repayWith(second);

        long held = spares.stream().filter(SpareDescriptor::held).count();
        System.out.println("paid " + firstPaid + " " + secondPaid + ", short " + reserve.isShort() + ", held " + held);
        for (Closeable filler : fillers) {
            filler.close();
        }
        for (Socket client : clients) {
            client.close();
        }
        listening.close();
        spares.forEach(reserve::remove);
    }
}
