/** Morgana Xen backend: see the documentation of package {@code dev.morgana.xen}. */
module dev.morgana.xen {
    requires dev.morgana.api;

    // Nothing to export yet: javac refuses to export a package without classes. The package
    // dev.morgana.xen is exported with the issue that brings its first code.
}
