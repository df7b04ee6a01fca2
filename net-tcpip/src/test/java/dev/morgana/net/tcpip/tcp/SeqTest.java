package dev.morgana.net.tcpip.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SeqTest {

    @Test
    void comparesAcrossTheWrap() {
        int beforeWrap = 0xFFFF_FFF0;
        int afterWrap = 0x0000_0010;
        assertTrue(Seq.lt(beforeWrap, afterWrap));
        assertTrue(Seq.gt(afterWrap, beforeWrap));
        assertTrue(Seq.le(afterWrap, afterWrap));
        assertTrue(Seq.ge(afterWrap, afterWrap));
        assertFalse(Seq.lt(afterWrap, afterWrap));
        assertEquals(afterWrap, Seq.max(beforeWrap, afterWrap));
        assertEquals(beforeWrap, Seq.min(afterWrap, beforeWrap));
    }

    @Test
    void halfTheSpaceAheadIsBehind() {
        assertTrue(Seq.lt(0, 0x7FFF_FFFF));
        assertTrue(Seq.gt(0, 0x8000_0001)); // more than 2³¹ ahead wraps to behind
    }

    @Test
    void withinIsHalfOpen() {
        assertTrue(Seq.within(0xFFFF_FFFE, 0xFFFF_FFFE, 2));
        assertTrue(Seq.within(0xFFFF_FFFE, 1, 2));
        assertFalse(Seq.within(0xFFFF_FFFE, 2, 2));
        assertFalse(Seq.within(0xFFFF_FFFE, 0xFFFF_FFFD, 2));
    }

    @Test
    void sequenceLengthCountsSynAndFin() {
        TcpHeader synFin = new TcpHeader(1, 2, 0, 0, TcpHeader.SYN | TcpHeader.FIN, 0, 0, TcpOptions.NONE);
        assertEquals(12, synFin.sequenceLength(10));
        TcpHeader ack = new TcpHeader(1, 2, 0, 0, TcpHeader.ACK | TcpHeader.PSH, 0, 0, TcpOptions.NONE);
        assertEquals(10, ack.sequenceLength(10));
    }
}
