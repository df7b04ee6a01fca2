/** Morgana file systems over block devices: see the documentation of package {@link dev.morgana.fs.block}. */
module dev.morgana.fs.block {
    requires dev.morgana.api;

    exports dev.morgana.fs.block;
}
