package dev.morgana.examples.staticwebsite;

import dev.morgana.http.tls.TlsIdentity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Where the HTTPS certificate comes from: PEM files the operator gives, or a self-signed certificate that
 * the website makes at its first start and keeps in a folder for the next ones.
 */
public sealed interface Certificates {

    /**
     * A certificate and how it was found.
     *
     * @param identity the chain and key HTTPS proves itself with
     * @param certificate the file holding the chain, absolute: what a client trusts ({@code curl --cacert})
     * @param how one sentence for the console
     */
    record Loaded(TlsIdentity identity, Path certificate, String how) {}

    /**
     * Reads, or makes, the certificate.
     *
     * @param now the wall-clock time, to tell an expired self-signed certificate
     * @return the certificate
     * @throws IOException when a file cannot be read or written, or holds no usable certificate or key
     */
    Loaded load(Instant now) throws IOException;

    /**
     * PEM files given on the command line ({@code --certificate} and {@code --key}); read, never written.
     *
     * @param chain the certificate chain, leaf first
     * @param key the leaf's unencrypted private key
     */
    record Given(Path chain, Path key) implements Certificates {

        public Given {
            Objects.requireNonNull(chain, "chain");
            Objects.requireNonNull(key, "key");
        }

        @Override
        public Loaded load(Instant now) throws IOException {
            TlsIdentity identity = read(chain, key);
            return new Loaded(identity, chain.toAbsolutePath(), "HTTPS certificate from " + chain.toAbsolutePath()
                    + ", key from " + key.toAbsolutePath());
        }
    }

    /**
     * A self-signed certificate kept in {@code folder} as {@code certificate.pem} and {@code key.pem}: made at
     * the first start (and again when it has expired, after {@link TlsIdentity#SELF_SIGNED_VALIDITY}, or does
     * not cover every host name, then for its names and the new ones), read at the others, so that a
     * browser's exception or a client's {@code --cacert} outlives a restart. The folder is made readable by its
     * owner only where the file system has POSIX permissions, and the key file always is.
     *
     * @param folder where the two files are kept
     * @param hostNames the names and addresses a new certificate covers, the first as its common name
     */
    record SelfSigned(Path folder, List<String> hostNames) implements Certificates {

        /** The certificate's file in the folder. */
        public static final String CERTIFICATE = "certificate.pem";

        /** The key's file in the folder. */
        public static final String KEY = "key.pem";

        /** A certificate that expires sooner than this is replaced at start. */
        static final Duration MARGIN = Duration.ofDays(1);

        public SelfSigned {
            Objects.requireNonNull(folder, "folder");
            hostNames = List.copyOf(hostNames);
            if (hostNames.isEmpty()) {
                throw new IllegalArgumentException("a self-signed certificate needs at least one host name");
            }
        }

        @Override
        public Loaded load(Instant now) throws IOException {
            Path certificate = folder.resolve(CERTIFICATE).toAbsolutePath();
            Path key = folder.resolve(KEY).toAbsolutePath();
            boolean haveCertificate = Files.exists(certificate);
            if (haveCertificate != Files.exists(key)) {
                throw new IOException(folder.toAbsolutePath() + " holds only one of " + CERTIFICATE + " and " + KEY
                        + "; remove the folder to have a new self-signed certificate made");
            }
            List<String> names = hostNames;
            String why = "";
            if (haveCertificate) {
                TlsIdentity kept = read(certificate, key);
                X509Certificate leaf = kept.chain().getFirst();
                List<String> covered = alternativeNames(leaf);
                if (!now.isBefore(leaf.getNotBefore().toInstant())
                        && now.plus(MARGIN).isBefore(leaf.getNotAfter().toInstant())) {
                    if (covered.containsAll(hostNames)) {
                        return new Loaded(kept, certificate, "HTTPS certificate, self-signed at an earlier start, from "
                                + certificate + " (valid until " + leaf.getNotAfter().toInstant() + ")");
                    }
                    // Another address to listen on (the same folder on another target): the new certificate
                    // covers the old names too, so that switching back does not make yet another.
                    names = new ArrayList<>(hostNames);
                    covered.stream().filter(name -> !hostNames.contains(name)).forEach(names::add);
                    why = "the self-signed HTTPS certificate in " + certificate + " covered only "
                            + String.join(", ", covered) + "; ";
                } else {
                    why = "the self-signed HTTPS certificate in " + certificate + " had expired or was about to; ";
                }
            }
            String made = why + "made a self-signed HTTPS certificate for " + String.join(", ", names) + " in "
                    + certificate;
            TlsIdentity identity = TlsIdentity.selfSigned(names.toArray(String[]::new));
            makeFolder(folder);
            // The key first: a certificate is never there without the key that goes with it.
            write(key, identity.keyPem(), true);
            write(certificate, identity.chainPem(), false);
            return new Loaded(identity, certificate, made);
        }

        /** The DNS names and IP addresses a certificate is for, as {@link TlsIdentity#selfSigned} writes them. */
        private static List<String> alternativeNames(X509Certificate leaf) throws IOException {
            try {
                Collection<List<?>> names = leaf.getSubjectAlternativeNames();
                return names == null ? List.of()
                        : names.stream().filter(name -> name.get(1) instanceof String).map(name -> (String) name.get(1))
                                .toList();
            } catch (CertificateParsingException unreadable) {
                throw new IOException("the certificate's alternative names are unreadable", unreadable);
            }
        }

        private static void makeFolder(Path folder) throws IOException {
            if (Files.isDirectory(folder)) {
                return;
            }
            if (posix(folder.toAbsolutePath().getParent())) {
                try {
                    Files.createDirectories(folder, ownerOnly(PosixFilePermission.OWNER_EXECUTE));
                    return;
                } catch (FileAlreadyExistsException raced) {
                    // another process made it meanwhile: fall through
                }
            }
            Files.createDirectories(folder);
        }

        /** Writes beside the file, then renames: a reader never sees half a PEM. */
        private static void write(Path file, String text, boolean secret) throws IOException {
            Path parent = file.getParent();
            Path temporary = secret && posix(parent)
                    ? Files.createTempFile(parent, ".new-", ".pem", ownerOnly())
                    : Files.createTempFile(parent, ".new-", ".pem");
            try {
                Files.writeString(temporary, text, StandardCharsets.US_ASCII);
                if (!secret && posix(parent)) {
                    Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-r--r--"));
                }
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temporary);
            }
        }

        private static boolean posix(Path path) {
            Path existing = path;
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            return existing != null && existing.getFileSystem().supportedFileAttributeViews().contains("posix");
        }

        private static FileAttribute<Set<PosixFilePermission>> ownerOnly(PosixFilePermission... more) {
            Set<PosixFilePermission> permissions = new java.util.HashSet<>(
                    Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
            permissions.addAll(List.of(more));
            return PosixFilePermissions.asFileAttribute(permissions);
        }
    }

    private static TlsIdentity read(Path chain, Path key) throws IOException {
        String chainPem = Files.readString(chain, StandardCharsets.US_ASCII);
        String keyPem = Files.readString(key, StandardCharsets.US_ASCII);
        try {
            return TlsIdentity.fromPem(chainPem, keyPem);
        } catch (IllegalArgumentException unusable) {
            throw new IOException("no usable certificate and key in " + chain.toAbsolutePath() + " and "
                    + key.toAbsolutePath() + ": " + unusable.getMessage(), unusable);
        }
    }
}
