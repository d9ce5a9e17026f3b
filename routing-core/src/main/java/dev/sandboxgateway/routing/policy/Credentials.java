package dev.sandboxgateway.routing.policy;

import org.jspecify.annotations.Nullable;


/**
 * What a request presented to prove it may reach a sandbox protected by an access token.
 *
 * @param header the {@code X-Access-Token} header, or {@code null}
 * @param query  the {@code access_token} query parameter, or {@code null}
 * @param cookie the gateway's cookie, or {@code null}
 * @param host   the request's host, lower case, without port: the cookie is bound to it
 */
public record Credentials(@Nullable String header, @Nullable String query, @Nullable String cookie,
                          @Nullable String host) {

    public static final Credentials NONE = new Credentials(null, null, null, null);
}
