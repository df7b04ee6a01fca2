package dev.morgana.http.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * A parsed request head. Its target, names and values are slices of the buffer it was parsed from and
 * valid only while the caller keeps that buffer's bytes in place, and until its parser parses another
 * head (which reuses the table of fields); the {@code String} accessors copy.
 */
public final class RequestHead {

    private final MemorySegment buffer;
    private final String method;
    private final long targetStart;
    private final long targetEnd;
    private final int minorVersion;
    private final long[] fields; // per field: name start, name end, value start, value end
    private final int fieldCount;
    private final long length;

    RequestHead(MemorySegment buffer, String method, long targetStart, long targetEnd, int minorVersion,
            long[] fields, int fieldCount, long length) {
        this.buffer = buffer;
        this.method = method;
        this.targetStart = targetStart;
        this.targetEnd = targetEnd;
        this.minorVersion = minorVersion;
        this.fields = fields;
        this.fieldCount = fieldCount;
        this.length = length;
    }

    /** The method token, case-sensitive (RFC 9110 §9.1). */
    public String method() {
        return method;
    }

    /** The request target, as sent. */
    public MemorySegment target() {
        return buffer.asSlice(targetStart, targetEnd - targetStart);
    }

    public String targetString() {
        return ascii(buffer, targetStart, targetEnd);
    }

    /** Whether the target is {@code text}: so that a connection can reuse the string of its last request. */
    public boolean targetIs(String text) {
        return equalsLatin1(targetStart, targetEnd, text);
    }

    /** The minor version: 0 for HTTP/1.0, 1 for HTTP/1.1 (higher ones are read as 1.1, RFC 9110 §2.5). */
    public int minorVersion() {
        return minorVersion;
    }

    public int fieldCount() {
        return fieldCount;
    }

    public MemorySegment name(int field) {
        return buffer.asSlice(fields[4 * field], fields[4 * field + 1] - fields[4 * field]);
    }

    /** The value, without leading and trailing whitespace. */
    public MemorySegment value(int field) {
        return buffer.asSlice(fields[4 * field + 2], fields[4 * field + 3] - fields[4 * field + 2]);
    }

    /** The name in lower case. */
    public String nameString(int field) {
        byte[] name = buffer.asSlice(fields[4 * field], fields[4 * field + 1] - fields[4 * field]).toArray(ValueLayout.JAVA_BYTE);
        for (int i = 0; i < name.length; i++) {
            if (name[i] >= 'A' && name[i] <= 'Z') {
                name[i] += 'a' - 'A'; // a token is ASCII: this is all of lower-casing it
            }
        }
        return new String(name, StandardCharsets.US_ASCII);
    }

    /** The value, its bytes read as ISO-8859-1 (RFC 9110 §5.5: obs-text is opaque). */
    public String valueString(int field) {
        return new String(value(field).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.ISO_8859_1);
    }

    /** Whether the value is {@code text}, read as {@link #valueString} reads it. */
    public boolean valueIs(int field, String text) {
        return equalsLatin1(fields[4 * field + 2], fields[4 * field + 3], text);
    }

    /** Whether field {@code field} is named {@code lowerCaseName}, compared case-insensitively. */
    public boolean nameIs(int field, String lowerCaseName) {
        long start = fields[4 * field];
        if (fields[4 * field + 1] - start != lowerCaseName.length()) {
            return false;
        }
        for (int i = 0; i < lowerCaseName.length(); i++) {
            int c = buffer.get(ValueLayout.JAVA_BYTE, start + i);
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            if (c != lowerCaseName.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private boolean equalsLatin1(long start, long end, String text) {
        if (end - start != text.length()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if ((buffer.get(ValueLayout.JAVA_BYTE, start + i) & 0xFF) != text.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** How many bytes of the buffer the head took, empty lines before it and the final CRLF included. */
    public long length() {
        return length;
    }

    static String ascii(MemorySegment buffer, long start, long end) {
        return new String(buffer.asSlice(start, end - start).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII);
    }
}
