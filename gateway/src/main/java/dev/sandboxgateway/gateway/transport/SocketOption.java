package dev.sandboxgateway.gateway.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;

/** A channel option a transport sets on every connection it carries, accepted or opened. */
public record SocketOption<T>(ChannelOption<T> option, T value) {

    void applyTo(Bootstrap bootstrap) {
        bootstrap.option(option, value);
    }

    void applyToAccepted(ServerBootstrap bootstrap) {
        bootstrap.childOption(option, value);
    }
}
