package dev.morgana.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Golden bytes: what the request-head parser accepts, and each refusal with its status. */
class RequestHeadParserTest {

    static MemorySegment bytes(String text) {
        return MemorySegment.ofArray(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    static RequestHead parse(String text) throws RequestRejected {
        return parse(text, HeadLimits.DEFAULT);
    }

    static RequestHead parse(String text, HeadLimits limits) throws RequestRejected {
        MemorySegment buffer = bytes(text);
        return new RequestHeadParser(limits).parse(buffer, buffer.byteSize());
    }

    static int refusal(String text) {
        return assertThrows(RequestRejected.class, () -> {
            RequestHead head = parse(text);
            assertNotNull(head, "a complete head");
            BodyFraming.of(head);
        }).status();
    }

    @Test
    void parsesARequestHead() throws RequestRejected {
        String text = "GET /index.html?q=1 HTTP/1.1\r\nHost: example.org\r\nAccept:  text/html \t\r\nX-Empty:\r\n\r\nbody";
        RequestHead head = parse(text);
        assertEquals("GET", head.method());
        assertEquals("/index.html?q=1", head.targetString());
        assertEquals(1, head.minorVersion());
        assertEquals(3, head.fieldCount());
        assertEquals("host", head.nameString(0));
        assertEquals("example.org", head.valueString(0));
        assertEquals("text/html", head.valueString(1), "whitespace around the value is not part of it");
        assertEquals("", head.valueString(2));
        assertEquals(text.indexOf("body"), head.length());
        assertInstanceOf(BodyFraming.None.class, BodyFraming.of(head));
    }

    @Test
    void skipsEmptyLinesBeforeTheRequestLine() throws RequestRejected {
        RequestHead head = parse("\r\n\r\nHEAD / HTTP/1.0\r\n\r\n");
        assertEquals("HEAD", head.method());
        assertEquals(0, head.minorVersion());
        assertEquals(23, head.length());
    }

    @Test
    void keepsObsTextInValuesAndCaseInNames() throws RequestRejected {
        RequestHead head = parse("GET / HTTP/1.1\r\nHost: h\r\nX-Name: caf\u00e9\r\n\r\n");
        assertEquals("caf\u00e9", head.valueString(1));
        assertEquals(true, head.nameIs(1, "x-name"));
    }

    @Test
    void waitsForMoreBytesAndScansEachOnce() throws RequestRejected {
        String text = "POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello";
        MemorySegment buffer = bytes(text);
        RequestHeadParser parser = new RequestHeadParser(HeadLimits.DEFAULT);
        int end = text.indexOf("hello");
        for (int available = 0; available < end; available++) {
            assertNull(parser.parse(buffer, available), "incomplete at " + available);
        }
        RequestHead head = parser.parse(buffer, end);
        assertEquals("POST", head.method());
        assertEquals(new BodyFraming.Length(5), BodyFraming.of(head));
    }

    @Test
    void readsChunkedAndContentLengthFraming() throws RequestRejected {
        assertEquals(new BodyFraming.Chunked(),
                BodyFraming.of(parse("PUT / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n")));
        assertEquals(new BodyFraming.Chunked(),
                BodyFraming.of(parse("PUT / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: ,CHUNKED\r\n\r\n")));
        assertEquals(new BodyFraming.Length(7),
                BodyFraming.of(parse("PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 7, 7\r\nContent-Length: 7\r\n\r\n")));
        assertEquals(new BodyFraming.None(), BodyFraming.of(parse("GET / HTTP/1.0\r\n\r\n")), "HTTP/1.0 needs no Host");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            GET / HTTP/1.1\\nHost: h\\n\\n                                   | 400
            GET / HTTP/1.1\\r\\nHost: h\\rX: y\\r\\n\\r\\n                     | 400
            GET / HTTP/1.1\\r\\nHost: h\\r\\n folded\\r\\n\\r\\n               | 400
            GET / HTTP/1.1\\r\\nHost : h\\r\\n\\r\\n                           | 400
            GET / HTTP/1.1\\r\\n: h\\r\\n\\r\\n                                | 400
            GET / HTTP/1.1\\r\\nHost: a\\u0000b\\r\\n\\r\\n                    | 400
            GET / HTTP/1.1\\r\\nHost: a\\u007fb\\r\\n\\r\\n                    | 400
            GET  / HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n                           | 400
            GET / http/1.1\\r\\nHost: h\\r\\n\\r\\n                            | 400
            GET / HTTP/1.10\\r\\nHost: h\\r\\n\\r\\n                           | 400
            GET /\\r\\nHost: h\\r\\n\\r\\n                                     | 400
            GET /caf\\u00e9 HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n                  | 400
            G(T / HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n                            | 400
            GET / HTTP/2.0\\r\\nHost: h\\r\\n\\r\\n                            | 505
            GET / HTTP/1.1\\r\\n\\r\\n                                         | 400
            GET / HTTP/1.1\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n               | 400
            POST / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: chunked\\r\\nContent-Length: 3\\r\\n\\r\\n | 400
            POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 3\\r\\nContent-Length: 4\\r\\n\\r\\n | 400
            POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 3, 4\\r\\n\\r\\n | 400
            POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: +3\\r\\n\\r\\n   | 400
            POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: -1\\r\\n\\r\\n   | 400
            POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 3 4\\r\\n\\r\\n  | 400
            POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 99999999999999999999\\r\\n\\r\\n | 400
            POST / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n | 501
            POST / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: chunked, gzip\\r\\n\\r\\n | 400
            POST / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: chunked\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n | 400
            POST / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: identity\\r\\n\\r\\n | 501
            POST / HTTP/1.0\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n      | 400
            """)
    void refuses(String escaped, int status) {
        assertEquals(status, refusal(unescape(escaped.strip())));
    }

    @Test
    void boundsTheRequestLineTheHeadAndTheFieldCount() {
        HeadLimits limits = new HeadLimits(64, 256, 3);
        String longTarget = "/" + "a".repeat(64);
        assertEquals(414, assertThrows(RequestRejected.class, () -> parse("GET " + longTarget, limits)).status(),
                "refused before the line even ends");
        assertEquals(414, assertThrows(RequestRejected.class,
                () -> parse("GET " + longTarget.substring(0, 55) + " HTTP/1.1\r\n\r\n", limits)).status());
        assertEquals(431, assertThrows(RequestRejected.class,
                () -> parse("GET / HTTP/1.1\r\nX: " + "v".repeat(300), limits)).status());
        assertEquals(431, assertThrows(RequestRejected.class,
                () -> parse("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", limits)).status());
        assertEquals(400, assertThrows(RequestRejected.class, () -> parse("\r\n".repeat(40), limits)).status());
    }

    /** {@code \r}, {@code \n} and {@code \\uXXXX} written out in the table above. */
    static String unescape(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\') {
                out.append(c);
            } else if (text.charAt(i + 1) == 'r') {
                out.append('\r');
                i++;
            } else if (text.charAt(i + 1) == 'n') {
                out.append('\n');
                i++;
            } else {
                out.append((char) Integer.parseInt(text.substring(i + 2, i + 6), 16));
                i += 5;
            }
        }
        return out.toString();
    }
}
