package dev.morgana.http.tls;

import static dev.morgana.http.tls.TlsLoopbackTest.ascii;
import static dev.morgana.http.tls.TlsLoopbackTest.readAll;
import static dev.morgana.http.tls.TlsLoopbackTest.readExactly;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.net.NetworkException;
import dev.morgana.http.SocketFlow;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Morgana's TLS against real peers on loopback: {@code openssl s_client} and {@code curl} against
 * {@link TlsServer}, and {@link TlsClient} against {@code openssl s_server}. Every process is bounded in
 * time and destroyed afterwards; skipped only where {@code openssl} is not installed.
 */
class OpenSslPeerTest {

    private static final long PROCESS_SECONDS = 10;

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();
    private ServerSocket listener;
    private ExecutorService threads;

    @BeforeAll
    static void needsOpenssl() {
        Assumptions.assumeTrue(installed("openssl", "version"), "openssl is not installed: real-peer TLS tests skipped");
    }

    @BeforeEach
    void listen() throws IOException {
        listener = SocketFlow.listen();
        threads = Executors.newVirtualThreadPerTaskExecutor();
    }

    @AfterEach
    void stop() throws IOException {
        for (Process process : processes) {
            process.destroyForcibly();
        }
        threads.shutdownNow();
        listener.close();
    }

    /** The morgana server greets each s_client with a line; the line s_client sent comes back in it. */
    private Future<TlsFlowFacts> serveOneGreeting(TlsServer server) {
        return threads.submit(() -> {
            try (TlsFlow flow = server.accept(SocketFlow.accept(listener))) {
                String request = readExactly(flow, 5);
                flow.write(ascii("pong " + request));
                return new TlsFlowFacts(flow.version(), flow.applicationProtocol(), flow.serverName(), request);
            }
        });
    }

    record TlsFlowFacts(TlsVersion version, Optional<String> alpn, Optional<String> sni, String received) {
    }

    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void opensslClientTalksToTheMorganaServer(TlsVersion version) throws Exception {
        TlsIdentity identity = TlsIdentity.selfSigned("localhost");
        Path ca = write("ca.pem", identity.chainPem());
        TlsServer server = TlsServer.builder(identity).serverNames("localhost").applicationProtocols("http/1.1").build();
        Future<TlsFlowFacts> served = serveOneGreeting(server);

        String output = sClient(version, "localhost", ca, "ping\n");

        TlsFlowFacts facts = served.get(PROCESS_SECONDS, TimeUnit.SECONDS);
        assertEquals(new TlsFlowFacts(version, Optional.of("http/1.1"), Optional.of("localhost"), "ping\n"), facts);
        assertTrue(output.contains("New, " + version.jsseName() + ", Cipher is"), output);
        assertTrue(output.contains("ALPN protocol: http/1.1"), output);
        assertTrue(output.contains("Verify return code: 0 (ok)"), output);
        assertTrue(output.contains("pong ping"), output);
        // s_client prints "closed" when the read side ends with our close_notify, not with a bare TCP end.
        assertTrue(output.contains("closed"), output);
    }

    @Test
    void opensslClientAskingForAnotherNameIsRefusedAndTheServerGoesOn() throws Exception {
        TlsIdentity identity = TlsIdentity.selfSigned("localhost");
        Path ca = write("ca.pem", identity.chainPem());
        TlsServer server = TlsServer.builder(identity).serverNames("localhost").applicationProtocols("http/1.1").build();
        Future<TlsException> refused = threads.submit(() -> assertThrows(TlsException.class,
                () -> server.accept(SocketFlow.accept(listener))));

        String output = sClient(TlsVersion.TLS_1_3, "wrong.example", ca, "ping\n");

        assertTrue(refused.get(PROCESS_SECONDS, TimeUnit.SECONDS).getMessage().contains("unrecognized_name"));
        assertTrue(output.contains("unrecognized name"), output);
        assertTrue(!output.contains("pong"), output);

        Future<TlsFlowFacts> served = serveOneGreeting(server);
        assertTrue(sClient(TlsVersion.TLS_1_3, "localhost", ca, "next\n").contains("pong next"));
        assertEquals("next\n", served.get(PROCESS_SECONDS, TimeUnit.SECONDS).received());
    }

    @Test
    void curlWithTheCertificateAsCaGetsAnHttpsResponse() throws Exception {
        Assumptions.assumeTrue(installed("curl", "--version"), "curl is not installed");
        TlsIdentity identity = TlsIdentity.selfSigned("localhost");
        Path ca = write("ca.pem", identity.chainPem());
        TlsServer server = TlsServer.builder(identity).applicationProtocols("http/1.1").build();
        Future<String> served = threads.submit(() -> {
            try (TlsFlow flow = server.accept(SocketFlow.accept(listener))) {
                StringBuilder head = new StringBuilder();
                while (!head.toString().endsWith("\r\n\r\n")) {
                    head.append(readExactly(flow, 1));
                }
                flow.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nhello\n"));
                return head.toString();
            }
        });
        Process curl = start(List.of("curl", "--silent", "--show-error", "--max-time", "10", "--http1.1",
                "--cacert", ca.toString(), "https://localhost:" + listener.getLocalPort() + "/tls"));
        String output = finish(curl);
        assertEquals("hello\n", output);
        assertEquals(0, curl.exitValue());
        assertTrue(served.get(PROCESS_SECONDS, TimeUnit.SECONDS).startsWith("GET /tls HTTP/1.1\r\n"));
    }

    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void morganaClientTalksToOpensslServer(TlsVersion version) throws Exception {
        Path key = dir.resolve("key.pem");
        Path cert = dir.resolve("cert.pem");
        // An RSA certificate made by openssl itself, read back through Pem: both directions of PEM interop.
        Process req = start(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                key.toString(), "-out", cert.toString(), "-subj", "/CN=localhost", "-addext",
                "subjectAltName=DNS:localhost", "-days", "2"));
        finish(req);
        assertEquals(0, req.exitValue());
        int port = sServer(version, cert, key);

        TlsClient client = TlsClient.builder(Pem.certificates(Files.readString(cert)))
                .applicationProtocols("http/1.1").build();
        try (TlsFlow flow = client.connect(SocketFlow.connect(port), "localhost")) {
            assertEquals(version, flow.version());
            assertEquals(Optional.of("http/1.1"), flow.applicationProtocol());
            flow.write(ascii("GET / HTTP/1.0\r\n\r\n"));
            // -www answers with a status page describing the session, then sends close_notify.
            String page = readAll(flow);
            assertTrue(page.startsWith("HTTP/1.0 200 ok\r\n"), page);
            assertTrue(page.contains("Protocol  : " + version.jsseName()), page);
        }
    }

    /**
     * Each cipher suite, pinned on the openssl side, in both directions. AES-GCM matters most: its records
     * run on the JDK's provider ({@link JdkGcmCrypto}); ChaCha20 stays Bouncy Castle's.
     */
    @ParameterizedTest
    @CsvSource({"TLS_1_3, TLS_AES_128_GCM_SHA256", "TLS_1_3, TLS_AES_256_GCM_SHA384",
            "TLS_1_3, TLS_CHACHA20_POLY1305_SHA256", "TLS_1_2, ECDHE-ECDSA-AES128-GCM-SHA256",
            "TLS_1_2, ECDHE-ECDSA-AES256-GCM-SHA384", "TLS_1_2, ECDHE-ECDSA-CHACHA20-POLY1305"})
    void eachCipherSuiteWorksBothWaysWithOpenssl(TlsVersion version, String suite) throws Exception {
        TlsIdentity identity = TlsIdentity.selfSigned("localhost");
        Path ca = write("ca.pem", identity.chainPem());
        List<String> pin = List.of(version == TlsVersion.TLS_1_3 ? "-ciphersuites" : "-cipher", suite);

        Future<TlsFlowFacts> served = serveOneGreeting(TlsServer.builder(identity).applicationProtocols("http/1.1").build());
        String output = sClient(version, "localhost", ca, "ping\n", pin);
        assertEquals("ping\n", served.get(PROCESS_SECONDS, TimeUnit.SECONDS).received());
        assertTrue(output.contains("Cipher is " + suite), output);
        assertTrue(output.contains("pong ping"), output);

        int port = sServer(version, write("cert.pem", identity.chainPem()), write("key.pem", identity.keyPem()), pin);
        try (TlsFlow flow = TlsClient.builder(identity.chain()).build().connect(SocketFlow.connect(port), "localhost")) {
            flow.write(ascii("GET / HTTP/1.0\r\n\r\n"));
            String page = readAll(flow);
            assertTrue(page.startsWith("HTTP/1.0 200 ok\r\n"), page);
            assertTrue(page.contains("Cipher is " + suite), page);
        }
    }

    /** The server's order decides, and it puts AES-GCM (the JDK's fast cipher) first. */
    @Test
    void theServerPrefersAesGcmToAClientsChaCha20() throws Exception {
        TlsIdentity identity = TlsIdentity.selfSigned("localhost");
        Path ca = write("ca.pem", identity.chainPem());
        Future<TlsFlowFacts> served = serveOneGreeting(TlsServer.builder(identity).build());
        String output = sClient(TlsVersion.TLS_1_3, "localhost", ca, "ping\n",
                List.of("-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"));
        assertEquals("ping\n", served.get(PROCESS_SECONDS, TimeUnit.SECONDS).received());
        assertTrue(output.contains("Cipher is TLS_AES_128_GCM_SHA256"), output);
    }

    @Test
    void morganaClientRefusesAnOpensslServerItDoesNotTrust() throws Exception {
        TlsIdentity stranger = TlsIdentity.selfSigned("localhost");
        int port = sServer(TlsVersion.TLS_1_3, write("cert.pem", stranger.chainPem()), write("key.pem", stranger.keyPem()));
        TlsClient client = TlsClient.builder(TlsIdentity.selfSigned("localhost").chain()).build();
        SocketFlow plain = SocketFlow.connect(port);
        TlsException failure = assertThrows(TlsException.class, () -> client.connect(plain, "localhost"));
        assertEquals(NetworkException.Reason.CONNECTION_RESET, failure.reason());
        assertTrue(failure.getMessage().startsWith("TLS handshake failed"), failure.getMessage());
        assertTrue(plain.isClosed());
    }

    private String sClient(TlsVersion version, String serverName, Path ca, String input) throws Exception {
        return sClient(version, serverName, ca, input, List.of());
    }

    private String sClient(TlsVersion version, String serverName, Path ca, String input, List<String> options)
            throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + listener.getLocalPort(),
                version == TlsVersion.TLS_1_3 ? "-tls1_3" : "-tls1_2", "-alpn", "http/1.1",
                "-servername", serverName, "-CAfile", ca.toString(), "-verify_return_error",
                "-verify_hostname", "localhost"));
        command.addAll(options);
        Process client = start(command);
        // stdin stays open: s_client would otherwise close the connection before the answer arrives. It
        // exits when the server's close_notify arrives (or the handshake fails).
        OutputStream stdin = client.getOutputStream();
        stdin.write(input.getBytes(StandardCharsets.US_ASCII));
        stdin.flush();
        return finish(client);
    }

    /** Starts s_server on an ephemeral loopback port for one connection and returns the port it printed. */
    private int sServer(TlsVersion version, Path cert, Path key) throws Exception {
        return sServer(version, cert, key, List.of());
    }

    private int sServer(TlsVersion version, Path cert, Path key, List<String> options) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "s_server", "-accept", "127.0.0.1:0", "-naccept", "1",
                "-cert", cert.toString(), "-key", key.toString(), "-alpn", "http/1.1", "-www",
                version == TlsVersion.TLS_1_3 ? "-tls1_3" : "-tls1_2"));
        command.addAll(options);
        Process server = start(command);
        Path output = dir.resolve("out-" + server.pid());
        Pattern accept = Pattern.compile("ACCEPT 127\\.0\\.0\\.1:(\\d+)");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PROCESS_SECONDS);
        while (System.nanoTime() < deadline && server.isAlive()) {
            Matcher matcher = accept.matcher(Files.readString(output));
            if (matcher.find()) {
                return Integer.parseInt(matcher.group(1));
            }
            Thread.sleep(20);
        }
        throw new AssertionError("openssl s_server did not start: " + Files.readString(output));
    }

    private Process start(List<String> command) throws IOException {
        Path output = Files.createTempFile(dir, "out", ".txt");
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        processes.add(process);
        Files.move(output, dir.resolve("out-" + process.pid()));
        return process;
    }

    private String finish(Process process) throws Exception {
        boolean exited = process.waitFor(PROCESS_SECONDS, TimeUnit.SECONDS);
        process.destroyForcibly();
        String output = Files.readString(dir.resolve("out-" + process.pid()));
        assertTrue(exited, "the process did not end in " + PROCESS_SECONDS + " s: " + output);
        return output;
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private static boolean installed(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return process.waitFor(PROCESS_SECONDS, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
