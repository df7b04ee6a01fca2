package dev.morgana.net.tcpip.udp;

import dev.morgana.api.net.Udp;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The handlers of the listened ports: 256 pages of 256 ports, a page made when a port in it is first
 * listened on. A lookup takes two array reads and allocates nothing, boxes nothing, takes no lock; a table
 * with a few ports costs a few KiB rather than a 65536-entry array.
 */
final class PortTable {

    private final AtomicReferenceArray<AtomicReferenceArray<Udp.DatagramHandler>> pages = new AtomicReferenceArray<>(256);

    /**
     * Returns the handler of a port.
     *
     * @param port 0–65535
     * @return the handler, or null when nobody listens there
     */
    Udp.DatagramHandler get(int port) {
        AtomicReferenceArray<Udp.DatagramHandler> page = pages.get(port >>> 8);
        return page == null ? null : page.get(port & 0xFF);
    }

    /**
     * Sets the handler of a port unless it has one.
     *
     * @param port 0–65535
     * @param handler the handler
     * @return whether it was set
     */
    synchronized boolean putIfAbsent(int port, Udp.DatagramHandler handler) {
        AtomicReferenceArray<Udp.DatagramHandler> page = pages.get(port >>> 8);
        if (page == null) {
            page = new AtomicReferenceArray<>(256);
            pages.set(port >>> 8, page);
        }
        return page.compareAndSet(port & 0xFF, null, handler);
    }

    /**
     * Removes the handler of a port, if any.
     *
     * @param port 0–65535
     */
    synchronized void remove(int port) {
        AtomicReferenceArray<Udp.DatagramHandler> page = pages.get(port >>> 8);
        if (page != null) {
            page.set(port & 0xFF, null);
        }
    }
}
