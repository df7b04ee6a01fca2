package dev.morgana.examples.staticwebsite;

import dev.morgana.api.Clock;
import dev.morgana.api.Console;
import dev.morgana.http.HttpHandler;
import dev.morgana.http.HttpRequest;
import dev.morgana.http.HttpResponse;
import java.lang.foreign.MemorySegment;

/**
 * Writes one console line per request around another handler: method, path, status, body bytes and the
 * microseconds the handler took, for example {@code GET /style.css 200 708 bytes 41 µs}.
 *
 * <p>Bytes are those of the body the server sends: none for HEAD and for bodiless answers (304), the
 * range's for 206. A streamed body's size is not known when the handler returns and is logged as
 * {@code -} ({@code StaticFiles} never streams). A handler that throws is logged as 500, the status the
 * server answers with.
 */
final class RequestLog implements HttpHandler {

    private final HttpHandler next;
    private final Clock clock;
    private final Console console;

    RequestLog(HttpHandler next, Clock clock, Console console) {
        this.next = next;
        this.clock = clock;
        this.console = console;
    }

    @Override
    public HttpResponse handle(HttpRequest request) throws Exception {
        long start = clock.monotonicNanos();
        HttpResponse response;
        try {
            response = next.handle(request);
        } catch (Exception | Error failure) {
            log(request, 500, "0", start);
            throw failure;
        }
        String bytes = request.method().equals("HEAD") ? "0"
                : response.body().map(MemorySegment::byteSize).map(String::valueOf).orElse("-");
        log(request, response.status(), bytes, start);
        return response;
    }

    private void log(HttpRequest request, int status, String bytes, long start) {
        long micros = (clock.monotonicNanos() - start) / 1_000;
        // The parser admits only visible ASCII in a method and a target, so a line cannot be forged.
        console.log(request.method() + " " + request.path() + " " + status + " " + bytes + " bytes " + micros + " µs");
    }
}
