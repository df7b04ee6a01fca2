/** Morgana HTTP: see the documentation of package {@link dev.morgana.http}. */
module dev.morgana.http {
    requires dev.morgana.api;

    exports dev.morgana.http;
}
