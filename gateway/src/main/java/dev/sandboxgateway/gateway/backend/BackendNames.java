package dev.sandboxgateway.gateway.backend;

import dev.sandboxgateway.config.NameServer;
import dev.sandboxgateway.gateway.transport.NettyTransport;
import dev.sandboxgateway.routing.registry.CidrBlock;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;

/**
 * Resolves backend host names on each event loop without blocking it. The JDK's resolver blocks
 * the calling thread for as long as a DNS server takes, and an event loop so blocked stalls every
 * connection it serves, not only the one waiting for a name. Netty's resolver sends the queries from
 * the loop and completes the connect when the answer arrives; answers are cached for their TTL and
 * {@code /etc/hosts} is read first. Address literals are connected without a lookup
 * ({@link BackendPool#address}).
 */
public final class BackendNames implements AutoCloseable {

    private final DnsAddressResolverGroup group;

    /**
     * @param servers      DNS servers to ask in turn; empty for the system's ({@code /etc/resolv.conf})
     * @param queryTimeout how long one DNS query may take
     */
    public BackendNames(NettyTransport transport, List<NameServer> servers, Duration queryTimeout) {
        DnsNameResolverBuilder builder = new DnsNameResolverBuilder()
                .datagramChannelType(transport.datagramChannelType())
                .socketChannelType(transport.socketChannelType())
                .queryTimeoutMillis(Math.max(1, queryTimeout.toMillis()));
        if (!servers.isEmpty()) {
            builder.nameServerProvider(new SequentialDnsServerAddressStreamProvider(
                    servers.stream().map(BackendNames::socketAddress).toList()));
        }
        group = new DnsAddressResolverGroup(builder);
    }

    /** What a backend bootstrap resolves unresolved addresses with. */
    AddressResolverGroup<InetSocketAddress> resolvers() {
        return group;
    }

    private static InetSocketAddress socketAddress(NameServer server) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(CidrBlock.parseAddress(server.address())), server.port());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("backend.dnsServers: " + server.address() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        group.close();
    }
}
