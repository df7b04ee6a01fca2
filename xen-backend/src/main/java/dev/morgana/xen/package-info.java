/**
 * Xen implementations of the signatures: shared rings, grant tables, event channels, XenStore, netfront
 * (NETWORK) and blkfront (BLOCK), over Linux's {@code /dev/xen} or an in-JVM simulated hypervisor; and the
 * {@code xen} target.
 *
 * <p>Nothing lives here yet; a later issue brings the drivers.
 */
package dev.morgana.xen;
