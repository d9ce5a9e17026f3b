package dev.sandboxgateway.gateway.request;

/**
 * What the gateway knows about the connection a request arrived on, fixed once it is set up.
 *
 * @param peer                the connection's peer: the load balancer's PROXY header when one was
 *                            received, else the TCP peer (a trusted proxy, or the client itself)
 * @param secure              whether the connection is TLS
 * @param localPort           the gateway port it reached, for {@code X-Forwarded-Port}
 * @param http2               whether the request is a stream of an HTTP/2 connection
 * @param overConnectionLimit whether the connection was accepted beyond {@code limits.maxConnections}:
 *                            its requests only get 503
 */
public record ConnectionFacts(ClientAddress peer, boolean secure, String localPort, boolean http2,
                              boolean overConnectionLimit) {
}
