/** Morgana HTTP: see the documentation of package {@code dev.morgana.http}. */
module dev.morgana.http {
    requires transitive dev.morgana.api; // its Flow and NetworkException are in this API
    // Bouncy Castle ships named modules (META-INF/versions/9/module-info.class): the provider (JCA
    // algorithms), util and PKIX (certificates, PEM) at 1.87, and the TLS stack (BCJSSE) at 1.84.
    requires org.bouncycastle.provider;
    requires org.bouncycastle.pkix;
    requires org.bouncycastle.util;
    requires org.bouncycastle.tls;
    requires java.logging; // to quiet BCJSSE's per-connection INFO (see tls.Providers)

    exports dev.morgana.http;
    // TLS as a functor FLOW → FLOW.
    exports dev.morgana.http.tls;
}
