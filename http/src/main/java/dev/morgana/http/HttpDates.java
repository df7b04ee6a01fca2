package dev.morgana.http;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Formats HTTP dates (IMF-fixdate, RFC 9110 §5.6.7), remembering the last one: a server stamps thousands
 * of responses a second with the same Date, and a file's Last-Modified repeats too. Thread-safe.
 */
final class HttpDates {

    /** For the Date field of responses. */
    static final HttpDates RESPONSES = new HttpDates();

    /** Two-digit days, which {@code RFC_1123_DATE_TIME} does not give. */
    static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'",
            Locale.US).withZone(ZoneOffset.UTC);

    private record Formatted(long second, String text, byte[] ascii) {}

    private volatile Formatted last = new Formatted(Long.MIN_VALUE, "", new byte[0]);

    /** {@code instant}, to the second, as an HTTP date. */
    String format(Instant instant) {
        return formatted(instant).text();
    }

    /** {@link #format}, in ASCII bytes; shared, so the caller must not change them. */
    byte[] formatAscii(Instant instant) {
        return formatted(instant).ascii();
    }

    private Formatted formatted(Instant instant) {
        Formatted cached = last;
        long second = instant.getEpochSecond();
        if (cached.second() != second) {
            String text = IMF_FIXDATE.format(instant);
            cached = new Formatted(second, text, text.getBytes(StandardCharsets.US_ASCII));
            last = cached;
        }
        return cached;
    }
}
