/** The udp-echo unikernel: echoes UDP datagrams, written against the {@code Udp} signature only. */
module dev.morgana.examples.udpecho {
    requires dev.morgana.runtime;
    requires dev.morgana.unix;
    requires jakarta.inject;

    // Guice constructs the application.
    opens dev.morgana.examples.udpecho to com.google.guice;
}
