package dev.sandboxgateway.routing.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("unit")
class CidrBlockTest {

    private static byte[] ip(String literal) throws Exception {
        return InetAddress.getByName(literal).getAddress();
    }

    @Test
    void ipv4BlockContainsItsAddressesOnly() throws Exception {
        CidrBlock block = CidrBlock.parse("10.1.0.0/16");
        assertTrue(block.contains(ip("10.1.0.0")));
        assertTrue(block.contains(ip("10.1.255.255")));
        assertFalse(block.contains(ip("10.2.0.0")));
        assertFalse(block.contains(ip("11.1.0.1")));
    }

    @Test
    void prefixNotOnAByteBoundary() throws Exception {
        CidrBlock block = CidrBlock.parse("192.168.4.0/22");
        assertTrue(block.contains(ip("192.168.7.200")));
        assertFalse(block.contains(ip("192.168.8.1")));
        assertFalse(block.contains(ip("192.168.3.255")));
    }

    @Test
    void bareAddressIsABlockOfOne() throws Exception {
        CidrBlock block = CidrBlock.parse("127.0.0.1");
        assertTrue(block.contains(ip("127.0.0.1")));
        assertFalse(block.contains(ip("127.0.0.2")));
        assertEquals("127.0.0.1/32", block.toString());
    }

    @Test
    void hostBitsAreMaskedOff() {
        assertEquals(CidrBlock.parse("10.0.0.0/8"), CidrBlock.parse("10.20.30.40/8"));
        assertEquals("10.0.0.0/8", CidrBlock.parse("10.20.30.40/8").toString());
    }

    @Test
    void ipv6Blocks() throws Exception {
        CidrBlock block = CidrBlock.parse("2001:db8::/32");
        assertTrue(block.contains(ip("2001:db8:ffff::1")));
        assertFalse(block.contains(ip("2001:db9::1")));
        assertFalse(block.contains(ip("10.0.0.1")));
        assertTrue(CidrBlock.parse("::/0").contains(ip("::1")));
    }

    @Test
    void ipv4MappedAddressesMatchIpv4Blocks() {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 10;
        mapped[15] = 9;
        assertTrue(CidrBlock.parse("10.0.0.0/8").contains(mapped));
        assertTrue(CidrBlock.parse("::ffff:10.0.0.0/104").contains(new byte[] {10, 0, 0, 9}));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0", "10.0.0.256", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "example.com",
        "localhost", "1.2.3.4.5", "::1/129", "fe80::1%eth0", "2001:db8::g"})
    void malformedBlocksAreRejectedWithTheInputNamed(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CidrBlock.parse(text));
        assertTrue(e.getMessage().contains(text) || text.isEmpty(), e.getMessage());
    }
}
