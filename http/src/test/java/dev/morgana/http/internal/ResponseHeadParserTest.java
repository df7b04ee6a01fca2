package dev.morgana.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Golden bytes: the response heads and framings the client accepts, and each refusal. */
class ResponseHeadParserTest {

    static ResponseHead parse(String text) throws RequestRejected {
        return parse(text, HeadLimits.DEFAULT);
    }

    static ResponseHead parse(String text, HeadLimits limits) throws RequestRejected {
        MemorySegment buffer = RequestHeadParserTest.bytes(text);
        return new ResponseHeadParser(limits).parse(buffer, buffer.byteSize());
    }

    static BodyFraming framing(String method, String text) throws RequestRejected {
        ResponseHead head = parse(text);
        assertNotNull(head, "a complete head");
        return BodyFraming.ofResponse(method, head);
    }

    static String refusal(String text) {
        RequestRejected refused = assertThrows(RequestRejected.class, () -> framing("GET", text));
        assertEquals(502, refused.status());
        return refused.getMessage();
    }

    @Test
    void parsesWhatNginxSends() throws RequestRejected {
        String text = "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Fri, 27 Nov 2026 02:00:00 GMT\r\n"
                + "Content-Type: application/octet-stream\r\nContent-Length: 1024\r\nConnection: keep-alive\r\n"
                + "ETag: \"6565a1b2-400\"\r\n\r\nbody";
        ResponseHead head = parse(text);
        assertEquals(200, head.status());
        assertEquals(1, head.minorVersion());
        assertEquals(text.length() - 4, head.length());
        assertEquals(List.of("server", "nginx/1.22.1", "date", "Fri, 27 Nov 2026 02:00:00 GMT", "content-type",
                "application/octet-stream", "content-length", "1024", "connection", "keep-alive", "etag",
                "\"6565a1b2-400\""), head.pairs());
        assertEquals(new BodyFraming.Length(1024), BodyFraming.ofResponse("GET", head));
    }

    @Test
    void aReasonPhraseMayBeEmptyOrMissing() throws RequestRejected {
        assertEquals(204, parse("HTTP/1.1 204 \r\n\r\n").status());
        assertEquals(404, parse("HTTP/1.0 404\r\n\r\n").status());
        assertEquals(0, parse("HTTP/1.0 404\r\n\r\n").minorVersion());
        assertEquals(299, parse("HTTP/1.1 299 any\treason é\r\n\r\n").status());
    }

    @Test
    void waitsForTheWholeHeadAndScansOnce() throws RequestRejected {
        String text = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
        MemorySegment buffer = RequestHeadParserTest.bytes(text);
        ResponseHeadParser parser = new ResponseHeadParser(HeadLimits.DEFAULT);
        for (int available = 0; available < text.length(); available++) {
            assertNull(parser.parse(buffer, available), "incomplete at " + available);
        }
        assertEquals(text.length(), parser.parse(buffer, text.length()).length());
    }

    @Test
    void framesEachKindOfBody() throws RequestRejected {
        assertEquals(BodyFraming.CHUNKED, framing("GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"));
        assertEquals(BodyFraming.CHUNKED, framing("GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: ,Chunked\r\n\r\n"));
        assertEquals(BodyFraming.UNTIL_CLOSE, framing("GET", "HTTP/1.0 200 OK\r\n\r\n"));
        assertEquals(new BodyFraming.Length(5), framing("GET", "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\n"));
        // No body whatever the fields say: HEAD, 1xx, 204, 304 (RFC 9112 §6.3).
        assertEquals(BodyFraming.NONE, framing("HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 1024\r\n\r\n"));
        assertEquals(BodyFraming.NONE, framing("GET", "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n"));
        assertEquals(BodyFraming.NONE, framing("GET", "HTTP/1.1 204 No Content\r\n\r\n"));
        assertEquals(BodyFraming.NONE, framing("GET", "HTTP/1.1 100 Continue\r\n\r\n"));
    }

    @Test
    void refusesFramingThatCouldBeReadTwoWays() {
        assertEquals("both Transfer-Encoding and Content-Length",
                refusal("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"));
        assertEquals("differing Content-Length values", refusal("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"));
        assertEquals("a malformed Content-Length", refusal("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"));
        assertEquals("a malformed Content-Length", refusal("HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n"));
        assertEquals("a transfer coding after chunked", refusal("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n"));
        assertTrue(refusal("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n").contains("gzip is not supported"));
    }

    static Stream<Arguments> malformedHeads() {
        return Stream.of(
            Arguments.of("HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", "a line ending in a bare LF"),
            Arguments.of("HTTP/1.1 200 OK\r\nContent-Length: 0\r\r\n\r\n", "a CR not followed by LF"),
            Arguments.of("HTTP/1.1 200 OK\r\nX: a\r\n folded\r\n\r\n", "obs-fold (a field line starting with whitespace)"),
            Arguments.of("HTTP/1.1 200 OK\r\nX : a\r\n\r\n", "a field name followed by something other than a colon"),
            Arguments.of("HTTP/1.1 200 OK\r\n: a\r\n\r\n", "a field line without a name"),
            Arguments.of("HTTP/1.1 200 OK\r\nX: a\u0001b\r\n\r\n", "a control character in a field value"),
            Arguments.of("HTTP/1.1 200 O\u0000K\r\n\r\n", "a control character in the reason phrase"),
            Arguments.of("HTTP/1.1 20 OK\r\n\r\n", "a malformed status line"),
            Arguments.of("HTTP/1.1  200 OK\r\n\r\n", "a malformed status line"),
            Arguments.of("HTTP/1.1 200OK\r\n\r\n", "a malformed status line"),
            Arguments.of("HTTP/1.1 2000 OK\r\n\r\n", "a malformed status line"),
            Arguments.of("HTTP/1.1 099 Low\r\n\r\n", "status 99 is not one"),
            Arguments.of("http/1.1 200 OK\r\n\r\n", "a malformed status line"),
            Arguments.of("HTTP/1.x 200 OK\r\n\r\n", "a malformed status line"),
            Arguments.of("HTTP/2.0 200 OK\r\n\r\n", "HTTP/2 is not HTTP/1"),
            Arguments.of("ICY 200 OK\r\n\r\n", "a malformed status line"));
    }

    @ParameterizedTest
    @MethodSource("malformedHeads")
    void refusesMalformedHeads(String text, String why) {
        assertEquals(why, refusal(text));
    }

    @Test
    void refusesHeadsBeyondTheLimits() {
        HeadLimits limits = new HeadLimits(64, 128, 2);
        String longLine = "HTTP/1.1 200 " + "x".repeat(60);
        assertEquals("a status line longer than 64 bytes",
                assertThrows(RequestRejected.class, () -> parse(longLine, limits)).getMessage());
        assertEquals("a response head larger than 128 bytes",
                assertThrows(RequestRejected.class, () -> parse("HTTP/1.1 200 OK\r\nX: " + "y".repeat(120), limits))
                        .getMessage());
        assertEquals("more than 2 header fields",
                assertThrows(RequestRejected.class, () -> parse("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits))
                        .getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"HTTP/1.1 200 OK\r\n", "HTTP/1.1 200 OK\r\nX: y\r\n", "HTTP/1.1 200 OK\r\nX: y\r\n\r"})
    void anUnfinishedHeadIsNotAHead(String text) throws RequestRejected {
        assertNull(parse(text));
    }

    @Test
    void fieldsKeepObsTextAsIso88591() throws RequestRejected {
        ResponseHead head = parse("HTTP/1.1 200 OK\r\nX-Name: caf\u00e9 \t\r\n\r\n");
        assertEquals(List.of("x-name", "caf\u00e9"), head.pairs());
        assertInstanceOf(BodyFraming.UntilClose.class, BodyFraming.ofResponse("GET", head));
    }
}
