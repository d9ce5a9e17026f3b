package dev.sandboxgateway.routing.registry;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * An IPv4 or IPv6 address block such as {@code 10.0.0.0/8} or {@code 2001:db8::/32}; a bare
 * address is a block of one. Only literal addresses are accepted, never names, so parsing never
 * touches DNS. An IPv4 address and its IPv4-mapped IPv6 form ({@code ::ffff:10.0.0.1}) match the
 * same blocks, since dual-stack sockets report IPv4 clients in the mapped form.
 */
@SuppressWarnings("ArrayRecordComponent") // equals, hashCode and the accessor below handle the array
public record CidrBlock(byte[] network, int prefixLength) {

    public CidrBlock {
        if (network.length != 4 && network.length != 16) {
            throw new IllegalArgumentException("an address has 4 or 16 bytes, not " + network.length);
        }
        if (prefixLength < 0 || prefixLength > network.length * 8) {
            throw new IllegalArgumentException("prefix /" + prefixLength + " is out of range");
        }
        network = mask(network.clone(), prefixLength);
    }

    /** Parses {@code address[/prefix]}; the message of the exception names what is wrong. */
    @JsonCreator
    public static CidrBlock parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("an address block must not be empty");
        }
        String trimmed = text.trim();
        int slash = trimmed.indexOf('/');
        String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
        byte[] bytes = literal(address, text);
        int prefix = bytes.length * 8;
        if (slash >= 0) {
            String digits = trimmed.substring(slash + 1);
            if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("'" + text + "': the prefix length must be a number");
            }
            prefix = Integer.parseInt(digits);
            if (bytes.length == 4 && address.indexOf(':') >= 0) {
                // The JDK turns an IPv4-mapped IPv6 literal into its IPv4 address; the prefix follows.
                if (prefix < 96) {
                    throw new IllegalArgumentException("'" + text + "': an IPv4-mapped block needs a prefix of at least 96");
                }
                prefix -= 96;
            }
            if (prefix > bytes.length * 8) {
                throw new IllegalArgumentException("'" + text + "': the prefix length must be at most " + bytes.length * 8);
            }
        }
        return new CidrBlock(bytes, prefix);
    }

    /** The bytes of a literal IPv4 or IPv6 address (never resolved through DNS). */
    public static byte[] parseAddress(String literal) {
        return literal(literal.trim(), literal);
    }

    public boolean contains(InetAddress address) {
        return contains(address.getAddress());
    }

    public boolean contains(byte[] address) {
        byte[] candidate = address.length == network.length ? address : sameFamily(address);
        if (candidate == null) {
            return false;
        }
        int fullBytes = prefixLength / 8;
        for (int i = 0; i < fullBytes; i++) {
            if (candidate[i] != network[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        return rest == 0 || ((candidate[fullBytes] ^ network[fullBytes]) & (0xff << (8 - rest))) == 0;
    }

    /** An IPv4 address in IPv4-mapped IPv6 form or the reverse; {@code null} when there is none. */
    private byte @Nullable [] sameFamily(byte[] address) {
        if (address.length == 16 && network.length == 4) {
            for (int i = 0; i < 10; i++) {
                if (address[i] != 0) {
                    return null;
                }
            }
            return address[10] == (byte) 0xff && address[11] == (byte) 0xff ? Arrays.copyOfRange(address, 12, 16) : null;
        }
        if (address.length == 4 && network.length == 16) {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(address, 0, mapped, 12, 4);
            return mapped;
        }
        return null;
    }

    @JsonValue
    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefixLength;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CidrBlock block && block.prefixLength == prefixLength
                && Arrays.equals(block.network, network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefixLength;
    }

    @Override
    public byte[] network() {
        return network.clone();
    }

    private static byte[] mask(byte[] bytes, int prefix) {
        for (int bit = prefix; bit < bytes.length * 8; bit++) {
            bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return bytes;
    }

    private static byte[] literal(String address, String text) {
        if (address.indexOf(':') < 0) {
            return ipv4(address, text);
        }
        for (int i = 0; i < address.length(); i++) {
            char c = address.charAt(i);
            if (!((c >= '0' && c <= '9') || c == '.' || c == ':' || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                throw notAnAddress(text);
            }
        }
        try {
            // A name with a colon is only ever parsed as an IPv6 literal, never looked up in DNS.
            return InetAddress.getByName(address).getAddress();
        } catch (UnknownHostException e) {
            throw notAnAddress(text);
        }
    }

    private static byte[] ipv4(String address, String text) {
        byte[] bytes = new byte[4];
        int octet = 0;
        int value = -1;
        for (int i = 0; i <= address.length(); i++) {
            char c = i == address.length() ? '.' : address.charAt(i);
            if (c == '.') {
                if (value < 0 || octet == 4) {
                    throw notAnAddress(text);
                }
                bytes[octet++] = (byte) value;
                value = -1;
            } else if (c >= '0' && c <= '9') {
                value = (value < 0 ? 0 : value * 10) + (c - '0');
                if (value > 255) {
                    throw notAnAddress(text);
                }
            } else {
                throw notAnAddress(text);
            }
        }
        if (octet != 4) {
            throw notAnAddress(text);
        }
        return bytes;
    }

    private static IllegalArgumentException notAnAddress(String text) {
        return new IllegalArgumentException("'" + text + "' is not an IP address or address block");
    }
}
