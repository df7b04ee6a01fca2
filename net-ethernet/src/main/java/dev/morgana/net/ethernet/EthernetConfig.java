package dev.morgana.net.ethernet;

import dev.morgana.api.net.MacAddress;
import java.util.LinkedHashSet;
import java.util.OptionalInt;
import java.util.Set;

/**
 * What the Ethernet layer accepts beyond frames for its own MAC and broadcast.
 *
 * @param multicast group addresses whose frames are accepted (each with the group bit set, not broadcast,
 *     which is always accepted); frames for other groups are dropped and counted
 * @param vlan the 802.1Q VLAN (1–4094) whose tagged frames are accepted, their tag removed; empty to drop
 *     and count every tagged frame. Priority-tagged frames (VLAN 0) count as untagged either way. Frames are
 *     always sent untagged.
 */
public record EthernetConfig(Set<MacAddress> multicast, OptionalInt vlan) {

    /** Own MAC and broadcast only; tagged frames dropped. */
    public static final EthernetConfig DEFAULT = new EthernetConfig(Set.of(), OptionalInt.empty());

    /**
     * Checks the configuration.
     *
     * @throws IllegalArgumentException when an address is not a group address, or the VLAN is out of range
     */
    public EthernetConfig {
        multicast = Set.copyOf(multicast);
        for (MacAddress group : multicast) {
            if (!group.isMulticast() || group.isBroadcast()) {
                throw new IllegalArgumentException(group + " is not a multicast group address (broadcast is always accepted)");
            }
        }
        if (vlan.isPresent() && (vlan.getAsInt() < 1 || vlan.getAsInt() > 4094)) {
            throw new IllegalArgumentException("a VLAN id is 1–4094, got " + vlan.getAsInt());
        }
    }

    /**
     * The same, also accepting frames for {@code group}.
     *
     * @param group a multicast group address
     * @return a new configuration
     */
    public EthernetConfig withMulticast(MacAddress group) {
        Set<MacAddress> groups = new LinkedHashSet<>(multicast);
        groups.add(group);
        return new EthernetConfig(groups, vlan);
    }

    /**
     * The same, accepting frames tagged with VLAN {@code id}.
     *
     * @param id 1–4094
     * @return a new configuration
     */
    public EthernetConfig withVlan(int id) {
        return new EthernetConfig(multicast, OptionalInt.of(id));
    }
}
