package dev.morgana.examples.udpecho;

import dev.morgana.api.net.Endpoint;
import java.util.ArrayList;
import java.util.List;

/**
 * The echo's port. Parsed once, at the edge ({@link #parse}); the application receives it injected.
 *
 * @param port the UDP port to echo on, 1–65535
 */
public record EchoConfig(int port) {

    /** The port unless told otherwise: above 1023, so that the {@code unix} target needs no privilege. */
    public static final int DEFAULT_PORT = 7007;

    /** The options, for {@code --help}. */
    static final String USAGE = """
            echo options:
              --port PORT             the UDP port to echo on (default: 7007)
            """;

    /**
     * Checks the port.
     *
     * @throws IllegalArgumentException when it is outside 1–65535
     */
    public EchoConfig {
        if (port < 1 || port > Endpoint.MAX_PORT) {
            throw new IllegalArgumentException("--port needs a port from 1 to " + Endpoint.MAX_PORT + ", got " + port);
        }
    }

    /**
     * A configuration and the arguments that were not the echo's.
     *
     * @param config the configuration
     * @param rest the other arguments, in order
     */
    public record Parsed(EchoConfig config, List<String> rest) {}

    /**
     * Takes the echo's options out of a command line.
     *
     * @param args the command line
     * @return the configuration and the other arguments
     * @throws IllegalArgumentException when {@code --port} lacks its value or has an invalid one
     */
    public static Parsed parse(List<String> args) {
        int port = DEFAULT_PORT;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            if (!args.get(i).equals("--port")) {
                rest.add(args.get(i));
                continue;
            }
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException("--port needs a value");
            }
            String value = args.get(++i);
            try {
                port = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--port needs a port from 1 to " + Endpoint.MAX_PORT + ", got \""
                        + value + "\"", e);
            }
        }
        return new Parsed(new EchoConfig(port), List.copyOf(rest));
    }
}
