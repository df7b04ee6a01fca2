/** Morgana HTTP: see the documentation of package {@code dev.morgana.http}. */
module dev.morgana.http {
    requires dev.morgana.api;

    // Nothing to export yet: javac refuses to export a package without classes. The package
    // dev.morgana.http is exported with issue #4.
}
