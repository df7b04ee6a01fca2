package dev.morgana.benchmarks.tcpip;

import dev.morgana.api.Application;
import dev.morgana.api.Console;
import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Flow;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.NetworkException;
import dev.morgana.api.net.Tcp;
import dev.morgana.runtime.Unikernel;
import dev.morgana.unix.DirectConfig;
import dev.morgana.unix.UnixTargets;
import jakarta.inject.Inject;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Morgana's end of benchmarks/tcp-bulk, on the direct target (Morgana's own TCP over a TAP):
 * {@code TcpBulkPeer TAP ADDRESS/PREFIX BYTES SECONDS}. On port 5001 it is a sink: it reads a connection to
 * its end, discarding, then closes it. On port 5002 it is a source: it sends BYTES zero bytes to whoever
 * connects, then closes. It prints {@code ready} once listening, and stops after SECONDS.
 */
public final class TcpBulkPeer implements Application {

    /** Where Linux sends to Morgana. */
    static final int SINK = 5001;
    /** Where Linux receives from Morgana. */
    static final int SOURCE = 5002;

    static long bytes;
    static int seconds;

    private final Tcp tcp;
    private final Console console;

    /**
     * Takes the stack.
     *
     * @param tcp Morgana's TCP
     * @param console where {@code ready} goes
     */
    @Inject
    public TcpBulkPeer(Tcp tcp, Console console) {
        this.tcp = tcp;
        this.console = console;
    }

    @Override
    public void run() throws Exception {
        try (Tcp.Listener sink = tcp.listen(new Endpoint(Ipv4Address.ANY, SINK), Tcp.Options.DEFAULT, flow -> {
            MemorySegment buffer = MemorySegment.ofArray(new byte[256 * 1024]);
            while (flow.read(buffer) != -1) {
                // discarded
            }
        });
                Tcp.Listener source = tcp.listen(new Endpoint(Ipv4Address.ANY, SOURCE), Tcp.Options.DEFAULT,
                        TcpBulkPeer::send)) {
            console.log("ready: sink on " + sink.local() + ", source on " + source.local());
            Thread.sleep(seconds * 1000L);
        }
    }

    private static void send(Flow flow) throws NetworkException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment zeros = arena.allocate(256 * 1024);
            for (long left = bytes; left > 0; left -= Math.min(left, zeros.byteSize())) {
                flow.write(zeros.asSlice(0, Math.min(left, zeros.byteSize())));
            }
        }
        flow.close();
    }

    /**
     * Runs the peer.
     *
     * @param args TAP, ADDRESS/PREFIX, BYTES, SECONDS
     * @throws Exception when the unikernel fails
     */
    public static void main(String[] args) throws Exception {
        bytes = Long.parseLong(args[2]);
        seconds = Integer.parseInt(args[3]);
        DirectConfig config = DirectConfig.parse(List.of("--tap", args[0], "--ip", args[1], "--mtu", "1500")).config()
                .orElseThrow();
        Unikernel.of("tcp-bulk", TcpBulkPeer.class, UnixTargets.directModules(config)).run();
    }
}
