package dev.morgana.examples.staticwebsite;

import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Ipv4Address;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the static website is told at start: where it listens and which certificate HTTPS uses. Parsed once,
 * at the edge ({@link #parse}); the application receives it injected, next to its signatures.
 *
 * @param bind the IPv4 address both servers listen on. Without {@code --bind} it is the target's
 *     ({@link Parsed#on}): loopback on {@code unix}, so that a development server is not reachable from the
 *     network until asked ({@code --bind 0.0.0.0}); on {@code direct}, where the stack has no loopback, the
 *     stack's own address ({@code --ip}), or every address with {@code --dhcp}
 * @param httpPort the HTTP port; 0 picks a free one
 * @param httpsPort the HTTPS port; 0 picks a free one
 * @param certificates where the HTTPS certificate comes from
 */
public record SiteConfig(Ipv4Address bind, int httpPort, int httpsPort, Certificates certificates) {

    /** The default HTTP port. */
    public static final int HTTP_PORT = 8080;

    /** The default HTTPS port. */
    public static final int HTTPS_PORT = 8443;

    /** Where the self-signed certificate is kept unless told otherwise: {@code tls}, in the working directory. */
    public static final Path TLS_FOLDER = Path.of("tls");

    /** The options, for {@code --help}. */
    static final String USAGE = """
            site options:
              --bind ADDRESS       the IPv4 address to listen on (default on unix: 127.0.0.1, loopback
                                   only; on direct: the stack's own address, --ip, or 0.0.0.0 with
                                   --dhcp; 0.0.0.0 listens on every address)
              --http-port PORT     the HTTP port (default: 8080; 0 picks a free one)
              --https-port PORT    the HTTPS port (default: 8443; 0 picks a free one)
              --certificate FILE   the HTTPS certificate chain in PEM, leaf first (with --key)
              --key FILE           the certificate's unencrypted private key in PEM (with --certificate)
              --tls-folder DIR     without --certificate: where a self-signed certificate is made at first
                                   start and kept for the next (default: tls, in the working directory)
            """;

    /**
     * Checks the configuration.
     *
     * @throws IllegalArgumentException when a port is out of range, or both servers are given the same port
     */
    public SiteConfig {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(certificates, "certificates");
        new Endpoint(bind, httpPort); // checks the range
        new Endpoint(bind, httpsPort);
        if (httpPort != 0 && httpPort == httpsPort) {
            throw new IllegalArgumentException("HTTP and HTTPS need two ports, both are " + httpPort);
        }
    }

    /** The defaults: loopback, 8080 and 8443, a self-signed certificate kept in {@link #TLS_FOLDER}. */
    public static SiteConfig defaults() {
        return new SiteConfig(Ipv4Address.LOOPBACK, HTTP_PORT, HTTPS_PORT,
                new Certificates.SelfSigned(TLS_FOLDER, hostNames(Ipv4Address.LOOPBACK)));
    }

    /**
     * A configuration and the arguments that were not the site's (for the launcher and the target:
     * {@code --target}, {@code --tap}, {@code describe}, {@code --help}).
     *
     * @param config the configuration, listening on loopback unless {@code --bind} was given
     * @param bindGiven whether {@code --bind} was given, which then holds on every target
     * @param rest the other arguments, in order
     */
    public record Parsed(SiteConfig config, boolean bindGiven, List<String> rest) {

        /** Copies the list. */
        public Parsed {
            Objects.requireNonNull(config, "config");
            rest = List.copyOf(rest);
        }

        /**
         * The configuration on a target: the address given with {@code --bind}, or else the target's own, which
         * a new self-signed certificate then covers.
         *
         * @param targetDefault where the target listens unless told: loopback on {@code unix}; on
         *     {@code direct}, which has no loopback, the stack's address, or {@link Ipv4Address#ANY}
         * @return the configuration
         */
        public SiteConfig on(Ipv4Address targetDefault) {
            if (bindGiven || config.bind().equals(targetDefault)) {
                return config;
            }
            Certificates certificates = config.certificates() instanceof Certificates.SelfSigned self
                    ? new Certificates.SelfSigned(self.folder(), hostNames(targetDefault))
                    : config.certificates();
            return new SiteConfig(targetDefault, config.httpPort(), config.httpsPort(), certificates);
        }
    }

    /**
     * Takes the site's options out of a command line.
     *
     * @param args the command line
     * @return the configuration and the other arguments
     * @throws IllegalArgumentException when an option lacks its value, a value is invalid, or only one of
     *     {@code --certificate} and {@code --key} is given
     */
    public static Parsed parse(List<String> args) {
        Ipv4Address bind = Ipv4Address.LOOPBACK;
        boolean bindGiven = false;
        int httpPort = HTTP_PORT;
        int httpsPort = HTTPS_PORT;
        Path certificate = null;
        Path key = null;
        Path folder = TLS_FOLDER;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--bind", "--http-port", "--https-port", "--certificate", "--key", "--tls-folder" -> {
                    if (i + 1 >= args.size()) {
                        throw new IllegalArgumentException(arg + " needs a value");
                    }
                    String value = args.get(++i);
                    switch (arg) {
                        case "--bind" -> {
                            bind = address(value);
                            bindGiven = true;
                        }
                        case "--http-port" -> httpPort = port(arg, value);
                        case "--https-port" -> httpsPort = port(arg, value);
                        case "--certificate" -> certificate = Path.of(value);
                        case "--key" -> key = Path.of(value);
                        default -> folder = Path.of(value);
                    }
                }
                default -> rest.add(arg);
            }
        }
        if ((certificate == null) != (key == null)) {
            throw new IllegalArgumentException("--certificate and --key go together");
        }
        Certificates certificates = certificate != null ? new Certificates.Given(certificate, key)
                : new Certificates.SelfSigned(folder, hostNames(bind));
        return new Parsed(new SiteConfig(bind, httpPort, httpsPort, certificates), bindGiven, rest);
    }

    /** The names a self-signed certificate covers: those of loopback, and the address listened on. */
    static List<String> hostNames(Ipv4Address bind) {
        List<String> names = new ArrayList<>(List.of("localhost", "127.0.0.1"));
        if (!bind.isUnspecified() && !bind.equals(Ipv4Address.LOOPBACK)) {
            names.add(bind.toString());
        }
        return List.copyOf(names);
    }

    private static Ipv4Address address(String value) {
        try {
            return Ipv4Address.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--bind needs an IPv4 address such as 127.0.0.1, got \"" + value + "\"", e);
        }
    }

    private static int port(String option, String value) {
        try {
            int port = Integer.parseInt(value);
            if (port >= 0 && port <= Endpoint.MAX_PORT) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " needs a port from 0 to " + Endpoint.MAX_PORT + ", got \"" + value + "\"");
    }
}
