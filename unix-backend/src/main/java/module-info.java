/** Morgana unix backend: see the documentation of package {@link dev.morgana.unix}. */
module dev.morgana.unix {
    requires dev.morgana.api;

    exports dev.morgana.unix;
}
