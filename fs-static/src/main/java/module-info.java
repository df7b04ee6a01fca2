/** Morgana embedded key-value store: see the documentation of package {@code dev.morgana.fs.embedded}. */
module dev.morgana.fs.embedded {
    requires dev.morgana.api;

    // Nothing to export yet: javac refuses to export a package without classes. The package
    // dev.morgana.fs.embedded is exported with issue #5.
}
