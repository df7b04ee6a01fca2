/**
 * Morgana's signatures: what an application and every library are written against.
 *
 * <p>Each interface here is one MirageOS module type ({@code NETWORK}, {@code TCP}, {@code KV_RO}, …);
 * a target picks one implementation of each with a list of Guice modules. This module depends on
 * nothing but {@code java.base}, so that every implementation — host sockets, our own TCP/IP stack,
 * Xen drivers, the simulated network of the tests — can implement it.
 */
module dev.morgana.api {
    exports dev.morgana.api;
    exports dev.morgana.api.net;
    exports dev.morgana.api.kv;
    exports dev.morgana.api.block;
}
