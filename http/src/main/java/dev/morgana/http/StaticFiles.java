package dev.morgana.http;

import dev.morgana.api.kv.KvException;
import dev.morgana.api.kv.KvKey;
import dev.morgana.api.kv.KvRo;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Serves the values of any {@link KvRo} as files (cohttp's static server): GET and HEAD; {@code ETag} from
 * the store's digest and {@code Last-Modified} from its time, so {@code If-None-Match} and
 * {@code If-Modified-Since} answer 304; one byte range answers 206 through
 * {@link KvRo#getPartial} (416 when unsatisfiable; several ranges get the whole value, as RFC 9110
 * allows); {@code index.html} for a folder; content types by extension.
 *
 * <p>A URL path is percent-decoded once and mapped to a key segment by segment; {@code .}, {@code ..},
 * NUL, and anything {@link KvKey} refuses are not found. A 404 says nothing about what was asked.
 */
public final class StaticFiles implements HttpHandler {


    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"), Map.entry("htm", "text/html; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"), Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("json", "application/json"), Map.entry("txt", "text/plain; charset=utf-8"),
            Map.entry("xml", "application/xml"), Map.entry("svg", "image/svg+xml"), Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"), Map.entry("jpeg", "image/jpeg"), Map.entry("gif", "image/gif"),
            Map.entry("webp", "image/webp"), Map.entry("ico", "image/vnd.microsoft.icon"),
            Map.entry("woff2", "font/woff2"), Map.entry("pdf", "application/pdf"), Map.entry("wasm", "application/wasm"));

    /** How many paths {@link #keys}, and values' fields {@link #representations}, keep at most. */
    private static final int REMEMBERED = 256;

    /** A value's digest and time, and the fields made from them. */
    private record Representation(String digest, Instant modified, String etag, Headers headers,
            Headers notModifiedHeaders) {}

    private final KvRo store;
    private final HttpDates dates = new HttpDates();
    /** The keys of URL paths asked for: mapping a path decodes and checks each segment. */
    private final Map<String, KvKey> keys = new ConcurrentHashMap<>();
    private final Map<KvKey, Representation> representations = new ConcurrentHashMap<>();

    public StaticFiles(KvRo store) {
        this.store = store;
    }

    @Override
    public HttpResponse handle(HttpRequest request) throws KvException {
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            return HttpResponse.of(405, Headers.of().with("Allow", "GET, HEAD"), MemorySegment.NULL);
        }
        String path = request.path();
        KvKey key = keys.get(path);
        if (key == null) {
            key = key(path);
            if (key == null) {
                return notFound();
            }
            remember(keys, path, key);
        }
        Optional<KvRo.Kind> kind = store.exists(key);
        if (kind.isEmpty()) {
            return notFound();
        }
        if (kind.get() == KvRo.Kind.DICTIONARY) {
            if (!request.path().endsWith("/")) {
                return HttpResponse.of(301, Headers.of().with("Location", request.path() + "/"), MemorySegment.NULL);
            }
            key = key.resolve("index.html");
            if (store.exists(key).orElse(null) != KvRo.Kind.VALUE) {
                return notFound();
            }
        }
        return serve(request, key);
    }

    /** The key {@code path} names, or null when it names none. */
    private static KvKey key(String path) {
        Optional<List<String>> segments = segments(path);
        if (segments.isEmpty()) {
            return null;
        }
        try {
            return KvKey.of(segments.get());
        } catch (IllegalArgumentException refused) {
            return null;
        }
    }

    /** Puts an entry in one of the caches, emptying it first when full: bounded, and simply so. */
    private static <K, V> void remember(Map<K, V> cache, K key, V value) {
        if (cache.size() >= REMEMBERED) {
            cache.clear(); // what is still asked for comes back at once
        }
        cache.put(key, value);
    }

    private HttpResponse serve(HttpRequest request, KvKey key) throws KvException {
        Representation representation = representation(key);
        if (notModified(request.headers(), representation.etag(), representation.modified())) {
            return HttpResponse.of(304, representation.notModifiedHeaders(), MemorySegment.NULL);
        }
        String range = request.method().equals("GET") ? request.headers().firstOrNull("range") : null;
        if (range != null && ifRangeHolds(request.headers(), representation.etag())) {
            long size = store.size(key);
            long[] bytes = range(range, size);
            if (bytes == UNSATISFIABLE) {
                return HttpResponse.of(416, Headers.of().with("Content-Range", "bytes */" + size), MemorySegment.NULL);
            }
            if (bytes != null) {
                long length = bytes[1] - bytes[0] + 1;
                return HttpResponse.of(206, representation.headers().with("Content-Range",
                        "bytes " + bytes[0] + "-" + bytes[1] + "/" + size), store.getPartial(key, bytes[0], length));
            }
        }
        return HttpResponse.of(200, representation.headers(), store.get(key));
    }

    /**
     * The fields of {@code key}'s value as it is now: those made for an earlier response when its digest
     * and time have not changed since, so that serving the same file again makes no new strings.
     */
    private Representation representation(KvKey key) throws KvException {
        String digest = store.digest(key);
        Instant modified = store.lastModified(key).truncatedTo(ChronoUnit.SECONDS);
        Representation known = representations.get(key);
        if (known != null && known.digest().equals(digest) && known.modified().equals(modified)) {
            return known;
        }
        String etag = "\"" + digest + "\"";
        String lastModified = dates.format(modified);
        Representation made = new Representation(digest, modified, etag,
                Headers.of("ETag", etag, "Last-Modified", lastModified, "Content-Type", type(key), "Accept-Ranges", "bytes"),
                Headers.of("ETag", etag, "Last-Modified", lastModified));
        remember(representations, key, made);
        return made;
    }

    /** RFC 9110 §13.1.2 and §13.1.3: If-None-Match (weak comparison) first, If-Modified-Since only without it. */
    private static boolean notModified(Headers headers, String etag, Instant modified) {
        if (headers.firstOrNull("if-none-match") != null) {
            for (String value : headers.all("if-none-match")) {
                for (String tag : value.split(",")) {
                    String candidate = tag.strip();
                    if (candidate.equals("*") || candidate.replaceFirst("^W/", "").equals(etag)) {
                        return true;
                    }
                }
            }
            return false;
        }
        String since = headers.firstOrNull("if-modified-since");
        if (since == null) {
            return false;
        }
        try {
            Instant date = ZonedDateTime.parse(since, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return !modified.isAfter(date);
        } catch (DateTimeParseException ignored) {
            return false; // an invalid date is ignored (§13.1.3)
        }
    }

    /** If-Range (§13.1.5) with an entity tag: the range applies only to that representation. */
    private static boolean ifRangeHolds(Headers headers, String etag) {
        String ifRange = headers.firstOrNull("if-range");
        return ifRange == null || ifRange.strip().equals(etag);
    }

    private static final long[] UNSATISFIABLE = new long[0];

    /**
     * One range of {@code bytes=first-last}, {@code bytes=first-} or {@code bytes=-suffix}: the first and
     * last byte, {@link #UNSATISFIABLE}, or null to ignore the field (malformed, or several ranges).
     */
    static long[] range(String value, long size) {
        String spec = value.strip();
        if (!spec.regionMatches(true, 0, "bytes=", 0, 6) || spec.indexOf(',') >= 0) {
            return null;
        }
        String text = spec.substring(6).strip();
        int dash = text.indexOf('-');
        if (dash < 0) {
            return null;
        }
        try {
            String first = text.substring(0, dash).strip();
            String last = text.substring(dash + 1).strip();
            if (first.isEmpty()) {
                long suffix = digits(last);
                if (suffix == 0 || size == 0) {
                    return UNSATISFIABLE;
                }
                return new long[] {Math.max(0, size - suffix), size - 1};
            }
            long from = digits(first);
            long to = last.isEmpty() ? size - 1 : Math.min(digits(last), size - 1);
            if (!last.isEmpty() && digits(last) < from) {
                return null; // invalid: ignored (§14.1.1)
            }
            return from >= size ? UNSATISFIABLE : new long[] {from, to};
        } catch (NumberFormatException malformed) {
            return null;
        }
    }

    private static long digits(String text) {
        if (text.isEmpty() || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new NumberFormatException(text);
        }
        return text.length() > 18 ? Long.MAX_VALUE : Long.parseLong(text);
    }

    /** The path's segments, percent-decoded once; empty when the path cannot name a key. */
    static Optional<List<String>> segments(String path) {
        if (!path.startsWith("/")) {
            return Optional.empty();
        }
        List<String> segments = new ArrayList<>();
        for (int start = 1; start <= path.length(); ) {
            int slash = path.indexOf('/', start);
            int end = slash < 0 ? path.length() : slash;
            if (end > start) { // "/a/" names the folder a; "//" adds nothing
                Optional<String> segment = plainAscii(path, start, end)
                        ? Optional.of(path.substring(start, end)) : decode(path.substring(start, end));
                if (segment.isEmpty() || segment.get().equals(".") || segment.get().equals("..")
                        || segment.get().indexOf('/') >= 0 || segment.get().indexOf('\0') >= 0) {
                    return Optional.empty();
                }
                segments.add(segment.get());
            }
            start = end + 1;
        }
        return Optional.of(segments);
    }

    /** Whether {@code text} from {@code start} to {@code end} is ASCII without escapes: its own decoding. */
    private static boolean plainAscii(String text, int start, int end) {
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c == '%' || c >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** Percent-decoding (RFC 3986 §2.1) into UTF-8; empty for a bad escape or bad UTF-8. */
    private static Optional<String> decode(String raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    return Optional.empty();
                }
                int high = Character.digit(raw.charAt(i + 1), 16);
                int low = Character.digit(raw.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    return Optional.empty();
                }
                bytes.write(high << 4 | low);
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes.toByteArray())).toString());
        } catch (CharacterCodingException bad) {
            return Optional.empty();
        }
    }

    private static String type(KvKey key) {
        String name = key.toString();
        int dot = name.lastIndexOf('.');
        String extension = dot < 0 || name.lastIndexOf('/') > dot ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return TYPES.getOrDefault(extension, "application/octet-stream");
    }

    private static HttpResponse notFound() {
        return HttpResponse.text(404, "not found\n");
    }
}
