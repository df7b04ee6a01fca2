package dev.morgana.http.tls;

/** The TLS versions Morgana speaks; older ones (SSL 3.0, TLS 1.0 and 1.1) are refused (RFC 8996). */
public enum TlsVersion {
    /** TLS 1.2, RFC 5246. */
    TLS_1_2("TLSv1.2"),
    /** TLS 1.3, RFC 8446. */
    TLS_1_3("TLSv1.3");

    private final String jsseName;

    TlsVersion(String jsseName) {
        this.jsseName = jsseName;
    }

    /**
     * Returns the name JSSE (and {@code openssl}) use for this version.
     *
     * @return {@code TLSv1.2} or {@code TLSv1.3}
     */
    public String jsseName() {
        return jsseName;
    }

    static TlsVersion ofJsseName(String name) {
        for (TlsVersion version : values()) {
            if (version.jsseName.equals(name)) {
                return version;
            }
        }
        // Unreachable while the engines are restricted to the versions above.
        throw new IllegalStateException("negotiated an unexpected TLS version: " + name);
    }
}
