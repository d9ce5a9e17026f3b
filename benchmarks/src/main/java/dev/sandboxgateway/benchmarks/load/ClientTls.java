package dev.sandboxgateway.benchmarks.load;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * TLS for https:// and wss:// targets. Certificates are not verified (a load tool points at test
 * deployments), and every connection makes a full handshake: no session is cached for reuse, so
 * {@code --mode close} measures handshakes. SNI names the connection's Host.
 */
final class ClientTls {

    private final SslContext context;

    ClientTls() throws SSLException {
        this.context = SslContextBuilder.forClient()
                .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_1_1))
                .build();
    }

    /** @param host the Host header of the connection, with or without a port */
    SslHandler newHandler(ByteBufAllocator alloc, String host) {
        // No peer host and port given: the client's session cache is keyed by them, so nothing is resumed.
        SslHandler handler = context.newHandler(alloc);
        SSLEngine engine = handler.engine();
        SSLParameters parameters = engine.getSSLParameters();
        int colon = host.lastIndexOf(':');
        parameters.setServerNames(List.of(new SNIHostName(colon > 0 ? host.substring(0, colon) : host)));
        engine.setSSLParameters(parameters);
        return handler;
    }
}
