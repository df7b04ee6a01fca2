package dev.morgana.api.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class KvExceptionTest {

    @Test
    void callersTellNotFoundFromDeviceFailureBySwitchingOnTheType() {
        KvKey key = KvKey.parse("/a");
        for (KvException error : new KvException[] {new KvException.NotFound(key),
            new KvException.Failed(key, "disk on fire", new java.io.IOException("EIO"))}) {
            String verdict = switch (error) {
                case KvException.NotFound missing -> "404 " + missing.key();
                case KvException.Failed failed -> "500 " + failed.getMessage();
                case KvException.DictionaryExpected e -> "409";
                case KvException.ValueExpected e -> "409";
                case KvException.AlreadyExists e -> "409";
                case KvException.NoSpace e -> "507";
            };
            assertEquals(error instanceof KvException.NotFound ? "404 /a" : "500 disk on fire", verdict);
        }
    }
}
