package dev.morgana.http;

import dev.morgana.api.net.NetworkException;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A message's body, read as it arrives: a request's on the server, a response's on the client. Reading
 * past its end returns -1.
 */
public interface MessageBody {

    /**
     * Reads some of the body into {@code buffer}, blocking until some arrives.
     *
     * @return how many bytes were read, or -1 at the end of the body
     * @throws NetworkException when the connection fails, or the body is malformed or larger than allowed
     *     (a server then answers 400 or 413 itself)
     */
    int read(MemorySegment buffer) throws NetworkException;

    /**
     * Reads the rest of the body.
     *
     * @throws NetworkException as {@link #read}
     */
    default byte[] readAllBytes() throws NetworkException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        MemorySegment buffer = MemorySegment.ofArray(new byte[16 * 1024]);
        int n;
        while ((n = read(buffer)) >= 0) {
            all.write(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), 0, n);
        }
        return all.toByteArray();
    }
}
