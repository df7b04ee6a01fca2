package dev.morgana.unix.kv;

import static dev.morgana.unix.kv.Folders.bytes;
import static dev.morgana.unix.kv.Folders.snapshot;
import static dev.morgana.unix.kv.Folders.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morgana.api.kv.KvException;
import dev.morgana.api.kv.KvKey;
import dev.morgana.api.kv.KvRo;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing walks a store out of its root: not a key ({@code ..}, NUL, {@code /}), not a link placed in the
 * folder, not a special file. What the store cannot see reads as not found, is not listed, and is never
 * written through, replaced or removed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FolderKvTraversalTest {

    @TempDir
    Path temp;

    private Path root;
    private Path outside;
    private FolderKv store;

    /**
     * The root holds {@code data/file.txt} and links: {@code escape} (to a directory outside), {@code leak}
     * (to a file outside), {@code relative} ({@code ../outside/secret.txt}), {@code dangling}, {@code loop}
     * (to itself), {@code inside} (to {@code data}, followed), and a Unix socket file.
     */
    @BeforeEach
    void folders() throws IOException {
        root = Files.createDirectory(temp.resolve("root"));
        outside = Files.createDirectory(temp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "secret");
        Files.createDirectory(outside.resolve("secrets"));
        Files.createDirectory(root.resolve("data"));
        Files.writeString(root.resolve("data/file.txt"), "hello");
        Files.createSymbolicLink(root.resolve("escape"), outside);
        Files.createSymbolicLink(root.resolve("leak"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("relative"), Path.of("../outside/secret.txt"));
        Files.createSymbolicLink(root.resolve("dangling"), root.resolve("nowhere"));
        Files.createSymbolicLink(root.resolve("loop"), root.resolve("loop"));
        Files.createSymbolicLink(root.resolve("inside"), Path.of("data"));
        try (ServerSocketChannel socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            socket.bind(UnixDomainSocketAddress.of(root.resolve("socket"))); // leaves a socket file behind
        }
        store = new FolderKv(new FolderKv.Config(root, true));
    }

    private static final List<String> HIDDEN = List.of("escape", "leak", "relative", "dangling", "loop", "socket");

    @Test
    void keysCannotNameAWayOut() throws KvException {
        for (String text : List.of("../etc/passwd", "/../etc/passwd", "a/../../etc/passwd", "./etc", "a//b", "a/b\0c")) {
            assertThrows(IllegalArgumentException.class, () -> KvKey.parse(text), text);
        }
        assertThrows(IllegalArgumentException.class, () -> KvKey.of("..", "etc", "passwd"));
        assertThrows(IllegalArgumentException.class, () -> KvKey.of("etc/passwd"));
        assertThrows(IllegalArgumentException.class, () -> KvKey.of("passwd\0"));
        assertThrows(IllegalArgumentException.class, () -> KvKey.ROOT.resolve(".."));
        // An absolute-looking key is still inside the root.
        assertEquals(Optional.empty(), store.exists(KvKey.parse("/etc/passwd")));
        assertThrows(KvException.NotFound.class, () -> store.get(KvKey.parse("/etc/passwd")));
    }

    @Test
    void whatTheStoreCannotSeeIsNotListedAndReadsAsNotFound() throws KvException {
        assertEquals(List.of(new KvRo.Entry("data", KvRo.Kind.DICTIONARY), new KvRo.Entry("inside", KvRo.Kind.DICTIONARY)),
                store.list(KvKey.ROOT));
        for (String name : HIDDEN) {
            KvKey key = KvKey.of(name);
            assertEquals(Optional.empty(), store.exists(key), name);
            assertNotFound(() -> store.get(key), name);
            assertNotFound(() -> store.getPartial(key, 0, 3), name);
            assertNotFound(() -> store.size(key), name);
            assertNotFound(() -> store.digest(key), name);
            assertNotFound(() -> store.lastModified(key), name);
            assertNotFound(() -> store.list(key), name);
        }
        assertNotFound(() -> store.get(KvKey.of("escape", "secret.txt")), "a file through a link out of the root");
        assertNotFound(() -> store.list(KvKey.of("escape", "secrets")), "a directory through a link out of the root");
        assertEquals(Optional.empty(), store.exists(KvKey.of("escape", "secret.txt")));
    }

    @Test
    void aFifoIsNeitherListedNorOpened() throws Exception {
        Process mkfifo;
        try {
            mkfifo = new ProcessBuilder("mkfifo", root.resolve("fifo").toString()).inheritIO().start();
        } catch (IOException e) {
            Assumptions.abort("mkfifo is not installed: " + e);
            return;
        }
        assertTrue(mkfifo.waitFor(20, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo made the FIFO");
        // Opening a FIFO for reading blocks until a writer comes: the class-level timeout catches a store that tries.
        assertNotFound(() -> store.get(KvKey.of("fifo")), "fifo");
        assertNotFound(() -> store.set(KvKey.of("fifo"), bytes("x")), "fifo");
        assertTrue(store.list(KvKey.ROOT).stream().noneMatch(entry -> entry.name().equals("fifo")));
    }

    @Test
    void writesNeverFollowOrReplaceALinkOutOfTheRoot() throws Exception {
        TreeMap<String, String> before = snapshot(outside);
        for (String name : HIDDEN) {
            KvKey key = KvKey.of(name);
            assertNotFound(() -> store.set(key, bytes("pwned")), name);
            assertNotFound(() -> store.setPartial(key, 0, bytes("pwned")), name);
            assertNotFound(() -> store.allocate(key, 10), name);
            assertNotFound(() -> store.remove(key), name);
            assertNotFound(() -> store.rename(key, KvKey.of("moved")), name);
            assertNotFound(() -> store.rename(KvKey.of("data", "file.txt"), key), name);
            assertNotFound(() -> store.set(key.resolve("below"), bytes("pwned")), name);
            assertNotFound(() -> store.batch(view -> {
                view.set(key.resolve("below"), bytes("pwned"));
                return null;
            }), name);
            assertTrue(Files.exists(root.resolve(name), LinkOption.NOFOLLOW_LINKS), name + " is still there, untouched");
        }
        assertNotFound(() -> store.set(KvKey.of("escape", "secret.txt"), bytes("pwned")), "through escape");
        assertNotFound(() -> store.set(KvKey.of("escape", "new.txt"), bytes("pwned")), "through escape");
        assertNotFound(() -> store.remove(KvKey.of("escape", "secrets")), "through escape");
        assertNotFound(() -> store.rename(KvKey.of("data"), KvKey.of("escape", "data")), "into escape");
        assertEquals(before, snapshot(outside), "nothing outside the root changed");
        assertEquals("hello", Files.readString(root.resolve("data/file.txt")));
        assertEquals(Optional.empty(), store.exists(KvKey.of("moved")));
    }

    @Test
    void linksInsideTheRootAreFollowedAndRemovingOneKeepsItsTarget() throws Exception {
        assertEquals("hello", text(store.get(KvKey.of("inside", "file.txt"))));
        assertEquals(List.of(new KvRo.Entry("file.txt", KvRo.Kind.VALUE)), store.list(KvKey.of("inside")));
        assertEquals(store.digest(KvKey.of("data")), store.digest(KvKey.of("inside")));

        store.set(KvKey.of("inside", "file.txt"), bytes("through the link"));
        assertEquals("through the link", Files.readString(root.resolve("data/file.txt")));
        assertTrue(Files.isSymbolicLink(root.resolve("inside")), "writing through the link kept it");

        store.remove(KvKey.of("inside"));
        assertTrue(Files.notExists(root.resolve("inside"), LinkOption.NOFOLLOW_LINKS), "the link is gone");
        assertEquals("through the link", text(store.get(KvKey.of("data", "file.txt"))), "its target stays");
    }

    @Test
    void aLinkCycleInsideTheRootIsReportedRatherThanFollowedForever() throws Exception {
        Files.createSymbolicLink(root.resolve("data", "up"), root);
        assertEquals(Optional.of(KvRo.Kind.DICTIONARY), store.exists(KvKey.of("data", "up", "data", "up")));
        assertThrows(KvException.Failed.class, () -> store.digest(KvKey.ROOT));
        store.remove(KvKey.of("data", "up"));
        assertEquals("hello", text(store.get(KvKey.of("data", "file.txt"))), "removing the link removed nothing else");
        assertEquals(64, store.digest(KvKey.ROOT).length());
    }

    @Test
    void namesTheStoreReservesAreHidden() throws Exception {
        Files.writeString(root.resolve(FolderKv.RESERVED_PREFIX + "left-over.tmp"), "half a value");
        Files.createDirectory(root.resolve("data", FolderKv.RESERVED_PREFIX + "removed"));
        KvKey reserved = KvKey.of(FolderKv.RESERVED_PREFIX + "left-over.tmp");
        assertEquals(List.of("data", "inside"), store.list(KvKey.ROOT).stream().map(KvRo.Entry::name).toList());
        assertEquals(List.of("file.txt"), store.list(KvKey.of("data")).stream().map(KvRo.Entry::name).toList());
        assertNotFound(() -> store.get(reserved), "reserved");
        assertNotFound(() -> store.set(reserved, bytes("x")), "reserved");
        assertNotFound(() -> store.set(KvKey.of("data", FolderKv.RESERVED_PREFIX + "x", "y"), bytes("x")), "reserved");
        assertEquals("half a value", Files.readString(root.resolve(FolderKv.RESERVED_PREFIX + "left-over.tmp")));
    }

    private static void assertNotFound(Executable call, String what) {
        assertThrows(KvException.NotFound.class, call, what);
    }

}
