package dev.morgana.http;

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

    private record Formatted(long second, String text) {}

    private volatile Formatted last = new Formatted(Long.MIN_VALUE, "");

    /** {@code instant}, to the second, as an HTTP date. */
    String format(Instant instant) {
        Formatted cached = last;
        long second = instant.getEpochSecond();
        if (cached.second() != second) {
            cached = new Formatted(second, IMF_FIXDATE.format(instant));
            last = cached;
        }
        return cached.text();
    }
}
