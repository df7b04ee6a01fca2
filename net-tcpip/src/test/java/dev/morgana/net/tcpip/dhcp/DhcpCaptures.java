package dev.morgana.net.tcpip.dhcp;

import dev.morgana.testing.net.Pcap;
import java.util.Arrays;
import java.util.List;

/**
 * A DHCP exchange captured from Linux, the golden bytes of the DHCP tests ({@code dnsmasq-dhclient.pcap}).
 * Made with two network namespaces joined by a veth pair: dnsmasq 2.90 in the first (02:00:00:00:00:0a as
 * 192.0.2.1/24; {@code --no-daemon --port=0 --dhcp-authoritative --dhcp-range=192.0.2.50,192.0.2.60,255.255.255.0,2m
 * --dhcp-option=option:router,192.0.2.1 --dhcp-option=option:dns-server,192.0.2.53 --dhcp-option=option:mtu,1500}),
 * ISC dhclient 4.4.3-P1 in the second (02:00:00:00:00:0b; {@code dhclient -d} with a configuration that
 * sends a client identifier and requests subnet mask, broadcast address, routers, DNS servers, MTU and the
 * three times), and {@code tcpdump -w} on the server's side. The frames, as tshark numbers them: 1 DISCOVER,
 * 2 OFFER, 3 REQUEST (SELECTING), 4 ACK, 5 REQUEST (RENEWING, unicast at T1), 6 ACK, 7 RELEASE
 * ({@code dhclient -r}), 8 a REQUEST from INIT-REBOOT for 198.51.100.7, written by a python3 script, and 9
 * dnsmasq's NAK to it ("wrong network").
 */
final class DhcpCaptures {

    private DhcpCaptures() {}

    /** The UDP payload of frame {@code number} (from 1): Ethernet, IPv4 (its IHL honoured) and UDP headers removed. */
    static byte[] payload(int number) {
        byte[] frame = frames().get(number - 1);
        int ihl = (frame[14] & 0x0F) * 4;
        int udp = 14 + ihl;
        int length = ((frame[udp + 4] & 0xFF) << 8 | frame[udp + 5] & 0xFF) - 8;
        return Arrays.copyOfRange(frame, udp + 8, udp + 8 + length);
    }

    /** The frames of the capture, a classic little-endian pcap file of Ethernet frames. */
    static List<byte[]> frames() {
        return Pcap.frames(DhcpCaptures.class, "dnsmasq-dhclient.pcap");
    }
}
