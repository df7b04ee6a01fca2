package dev.morgana.unix.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.inject.Module;
import dev.morgana.api.Application;
import dev.morgana.api.Clock;
import dev.morgana.api.net.Endpoint;
import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.Tcp;
import dev.morgana.http.ClientRequest;
import dev.morgana.http.ClientResponse;
import dev.morgana.http.HttpClient;
import dev.morgana.http.Origin;
import dev.morgana.runtime.Unikernel;
import dev.morgana.testing.net.Netns;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Morgana's HTTP client over Morgana's own TCP on the direct target downloads a 20 MiB file from Debian's
 * nginx, which runs in the namespace the test creates (issue #8), and its SHA-256 must equal the file's.
 */
class NginxOverTapTest {

    private static final String LINUX = "192.0.2.1";
    private static final String MORGANA = "192.0.2.2";
    private static final int PORT = 8080;
    private static final int SIZE = 20 << 20;

    @TempDir
    Path root;

    /**
     * What the download needs.
     *
     * @param tap the TAP's name
     * @param netns where nginx runs
     * @param root nginx's prefix, with {@code www/file.bin} and {@code nginx.conf} in it
     * @param sha256 the file's hash
     */
    record Server(String tap, Netns netns, Path root, String sha256) {}

    /** Starts nginx once the TAP has its address, then downloads the file through {@link HttpClient}. */
    static final class Download implements Application {
        private final Tcp tcp;
        private final Clock clock;
        private final Server server;

        @Inject
        Download(Tcp tcp, Clock clock, Server server) {
            this.tcp = tcp;
            this.clock = clock;
            this.server = server;
        }

        @Override
        public void run() throws Exception {
            Netns netns = server.netns();
            netns.adopt(server.tap(), LINUX + "/24");
            Path conf = server.root().resolve("nginx.conf");
            Process nginx = netns.start("/usr/sbin/nginx", "-p", server.root().toString(), "-c", conf.toString(), "-e",
                    server.root().resolve("error.log").toString());
            try {
                Netns.Result listening = netns.exec(20, "sh", "-c", "for i in $(seq 100); do ss -Hltn 'sport = :" + PORT
                        + "' | grep -q . && exit 0; sleep 0.1; done; exit 1");
                assertEquals(0, listening.exit(), () -> "nginx did not listen: " + log(server.root()));
                long start = System.nanoTime();
                try (HttpClient client = new HttpClient(tcp, clock, HttpClient.Options.DEFAULT);
                        ClientResponse response = client.send(Origin.http(new Endpoint(Ipv4Address.parse(LINUX), PORT)),
                                ClientRequest.get("/file.bin"))) {
                    assertEquals(200, response.status());
                    assertEquals(String.valueOf(SIZE), response.headers().first("content-length").orElseThrow());
                    MessageDigest sha = MessageDigest.getInstance("SHA-256");
                    byte[] buffer = new byte[65536];
                    MemorySegment segment = MemorySegment.ofArray(buffer);
                    long total = 0;
                    int n;
                    while ((n = response.body().read(segment)) != -1) {
                        sha.update(buffer, 0, n);
                        total += n;
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    System.out.printf("downloaded %d bytes from nginx in %.2f s (%.1f MB/s)%n", total, seconds,
                            total / seconds / 1e6);
                    assertEquals(SIZE, total);
                    assertEquals(server.sha256(), HexFormat.of().formatHex(sha.digest()));
                }
            } finally {
                nginx.destroy();
                if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
                    nginx.destroyForcibly();
                }
            }
        }

        private static String log(Path root) {
            try {
                return Files.readString(root.resolve("error.log"));
            } catch (IOException e) {
                return "(no error log: " + e + ")";
            }
        }
    }

    @Test
    @Timeout(60)
    void morganasHttpClientDownloadsTwentyMebibytesFromNginx() throws Exception {
        Netns.requireTapAndNamespaces();
        Netns.require("nginx");
        Netns.require("ss");
        Path www = Files.createDirectories(root.resolve("www"));
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] chunk = new byte[1 << 20];
        SplittableRandom random = new SplittableRandom(8);
        try (OutputStream out = Files.newOutputStream(www.resolve("file.bin"))) {
            for (int written = 0; written < SIZE; written += chunk.length) {
                random.nextBytes(chunk);
                sha.update(chunk);
                out.write(chunk);
            }
        }
        String temp = root.toString();
        Files.writeString(root.resolve("nginx.conf"), """
                worker_processes 1;
                master_process off;
                daemon off;
                pid %1$s/nginx.pid;
                events { worker_connections 16; }
                http {
                  access_log off;
                  client_body_temp_path %1$s; proxy_temp_path %1$s; fastcgi_temp_path %1$s;
                  uwsgi_temp_path %1$s; scgi_temp_path %1$s;
                  default_type application/octet-stream;
                  sendfile on;
                  server {
                    listen %2$s:%3$d;
                    root %4$s;
                  }
                }
                """.formatted(temp, LINUX, PORT, www));
        try (Netns netns = Netns.create("nginx")) {
            Server server = new Server(Netns.tapName(), netns, root, HexFormat.of().formatHex(sha.digest()));
            List<Module> modules = TapProbes.directModules(List.of("--tap", server.tap(), "--ip", MORGANA + "/24"),
                    Server.class, server);
            Unikernel.of("download", Download.class, modules).run();
        }
    }
}
