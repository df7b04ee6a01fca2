package dev.morgana.net.ethernet;

import dev.morgana.api.net.Ipv4Address;
import dev.morgana.api.net.MacAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ARP's limits and timers.
 *
 * @param cacheSize the most dynamic entries the cache holds; the least recently used is evicted to make room
 * @param entryLifetime how long a learned entry is used after it was last confirmed by a packet
 * @param retries requests sent after the first before a resolution fails with {@code TIMED_OUT}
 * @param retryInterval how long each request waits for an answer; a resolution fails after
 *     {@code (retries + 1) × retryInterval}
 * @param pendingPerAddress the most resolutions waiting on one address; more are failed and counted
 * @param pendingTotal the most resolutions waiting on all addresses together; more are failed and counted
 * @param staticEntries addresses whose MAC is fixed: never asked for, never overridden by a packet, never evicted
 */
public record ArpConfig(int cacheSize, Duration entryLifetime, int retries, Duration retryInterval,
        int pendingPerAddress, int pendingTotal, Map<Ipv4Address, MacAddress> staticEntries) {

    /**
     * 512 entries living 60 s; 3 retries 1 s apart; 8 waiting per address, 256 in all; no static entries.
     */
    public static final ArpConfig DEFAULT =
            new ArpConfig(512, Duration.ofSeconds(60), 3, Duration.ofSeconds(1), 8, 256, Map.of());

    /**
     * Checks the configuration.
     *
     * @throws IllegalArgumentException when a bound is not positive, a duration not positive, or
     *     {@code retries} negative
     */
    public ArpConfig {
        requirePositive(cacheSize, "cacheSize");
        requirePositive(pendingPerAddress, "pendingPerAddress");
        requirePositive(pendingTotal, "pendingTotal");
        if (retries < 0) {
            throw new IllegalArgumentException("retries is at least 0, got " + retries);
        }
        if (!entryLifetime.isPositive() || !retryInterval.isPositive()) {
            throw new IllegalArgumentException("entryLifetime and retryInterval are positive, got " + entryLifetime
                    + " and " + retryInterval);
        }
        staticEntries = Map.copyOf(staticEntries);
    }

    private static void requirePositive(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " is at least 1, got " + value);
        }
    }

    /**
     * The same with other bounds.
     *
     * @param cacheSize the most dynamic entries
     * @param pendingPerAddress the most resolutions waiting on one address
     * @param pendingTotal the most resolutions waiting in all
     * @return a new configuration
     */
    public ArpConfig withBounds(int cacheSize, int pendingPerAddress, int pendingTotal) {
        return new ArpConfig(cacheSize, entryLifetime, retries, retryInterval, pendingPerAddress, pendingTotal,
                staticEntries);
    }

    /**
     * The same with other timers.
     *
     * @param entryLifetime how long a learned entry lives
     * @param retries requests after the first
     * @param retryInterval the wait for each request's answer
     * @return a new configuration
     */
    public ArpConfig withTimers(Duration entryLifetime, int retries, Duration retryInterval) {
        return new ArpConfig(cacheSize, entryLifetime, retries, retryInterval, pendingPerAddress, pendingTotal,
                staticEntries);
    }

    /**
     * The same with one more static entry.
     *
     * @param address the address
     * @param mac its fixed MAC
     * @return a new configuration
     */
    public ArpConfig withStatic(Ipv4Address address, MacAddress mac) {
        Map<Ipv4Address, MacAddress> entries = new LinkedHashMap<>(staticEntries);
        entries.put(address, mac);
        return new ArpConfig(cacheSize, entryLifetime, retries, retryInterval, pendingPerAddress, pendingTotal, entries);
    }
}
