/** Morgana file systems over block devices: see the documentation of package {@code dev.morgana.fs.block}. */
module dev.morgana.fs.block {
    requires dev.morgana.api;

    // Nothing to export yet: javac refuses to export a package without classes. The package
    // dev.morgana.fs.block is exported with the issue that brings its first code.
}
