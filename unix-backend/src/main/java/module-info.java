/** Morgana unix backend: see the documentation of package {@code dev.morgana.unix}. */
module dev.morgana.unix {
    requires dev.morgana.api;

    // Nothing to export yet: javac refuses to export a package without classes. The package
    // dev.morgana.unix is exported with issue #3.
}
