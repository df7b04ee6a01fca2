/** Morgana embedded key-value store: see the documentation of package {@link dev.morgana.fs.embedded}. */
module dev.morgana.fs.embedded {
    requires dev.morgana.api;

    exports dev.morgana.fs.embedded;
}
