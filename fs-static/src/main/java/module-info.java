/**
 * Morgana's embedded key-value store: a {@code KvRo} generated at build time from a folder (by
 * {@code morgana-fs-static-maven-plugin}) and read from the application's resources. See the documentation
 * of package {@code dev.morgana.fs.embedded}.
 */
module dev.morgana.fs.embedded {
    requires transitive dev.morgana.api;
    // The functor is a Guice module, so Guice is part of this module's API.
    requires transitive com.google.guice;

    exports dev.morgana.fs.embedded;
    // dev.morgana.fs.embedded.internal (the index format, shared with the plugin on the class path) is not
    // exported.
}
