package dev.sandboxgateway.gateway.request;

import dev.sandboxgateway.routing.registry.CidrBlock;
import java.util.List;

/**
 * The proxies in front of the gateway whose word about the client is believed: their
 * {@code X-Forwarded-*} headers and PROXY protocol headers. Anyone else's are discarded, or a
 * client could claim any address to the sandbox, to the access log, and to IP allow lists.
 */
public final class TrustedProxies {

    private final List<CidrBlock> blocks;

    public TrustedProxies(List<CidrBlock> blocks) {
        this.blocks = List.copyOf(blocks);
    }

    public boolean isEmpty() {
        return blocks.isEmpty();
    }

    public boolean trusts(byte[] address) {
        for (CidrBlock block : blocks) {
            if (block.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The client behind a chain of trusted proxies: X-Forwarded-For is read right to left, each
     * trusted hop skipped, and the first untrusted address is the client. An entry that is not an
     * address ends the walk at the last hop known to be good.
     *
     * @param forwardedFor every X-Forwarded-For value of the request, in order
     * @param peer         the trusted peer that sent them
     */
    public ClientAddress clientBehind(List<String> forwardedFor, ClientAddress peer) {
        ClientAddress client = peer;
        for (int v = forwardedFor.size() - 1; v >= 0; v--) {
            String value = forwardedFor.get(v);
            int end = value.length();
            while (end > 0) {
                int comma = value.lastIndexOf(',', end - 1);
                String entry = value.substring(comma + 1, end).trim();
                end = comma < 0 ? 0 : comma;
                if (entry.isEmpty()) {
                    continue;
                }
                byte[] bytes;
                try {
                    bytes = CidrBlock.parseAddress(entry);
                } catch (IllegalArgumentException e) {
                    return client;
                }
                client = new ClientAddress(entry, bytes);
                if (!trusts(bytes)) {
                    return client;
                }
            }
        }
        return client;
    }
}
