/** Morgana Xen backend: see the documentation of package {@link dev.morgana.xen}. */
module dev.morgana.xen {
    requires dev.morgana.api;

    exports dev.morgana.xen;
}
