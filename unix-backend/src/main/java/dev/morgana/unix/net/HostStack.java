package dev.morgana.unix.net;

import dev.morgana.api.net.Ipv4;
import dev.morgana.api.net.Stack;
import dev.morgana.api.net.Tcp;
import dev.morgana.api.net.Udp;
import jakarta.inject.Inject;
import java.util.Optional;

/** The host's stack: UDP and TCP over its sockets; IP itself belongs to the host kernel. */
final class HostStack implements Stack {

    private final Udp udp;
    private final Tcp tcp;

    @Inject
    public HostStack(Udp udp, Tcp tcp) {
        this.udp = udp;
        this.tcp = tcp;
    }

    @Override
    public Optional<Ipv4> ipv4() {
        return Optional.empty();
    }

    @Override
    public Udp udp() {
        return udp;
    }

    @Override
    public Tcp tcp() {
        return tcp;
    }
}
