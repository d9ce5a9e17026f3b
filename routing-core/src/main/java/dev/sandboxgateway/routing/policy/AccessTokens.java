package dev.sandboxgateway.routing.policy;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Comparison of presented access tokens, and the cookie a browser gets in exchange for one.
 *
 * <p>The cookie is not the token: it is an HMAC of the sandbox host keyed by the token. So every
 * gateway instance can check it without shared state, it is valid for that one host only, it
 * stops working when the token changes, and a leaked cookie does not reveal the token.
 */
public final class AccessTokens {

    /** The cookie the gateway sets; stripped from every request before it reaches a sandbox. */
    public static final String COOKIE_NAME = "sandbox_gateway_token";

    private static final ThreadLocal<Mac> HMAC = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required by every Java platform", e);
        }
    });

    private AccessTokens() {
    }

    /** Constant-time: how long the comparison takes says nothing about how much of the token matched. */
    public static boolean matches(String expected, String presented) {
        return presented != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                presented.getBytes(StandardCharsets.UTF_8));
    }

    /** The cookie value that proves knowledge of {@code token} on {@code host} (lower case, no port). */
    public static String cookieValue(String token, String host) {
        Mac mac = HMAC.get();
        try {
            mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        byte[] digest = mac.doFinal(("sandbox-gateway-cookie\n" + host).getBytes(StandardCharsets.UTF_8));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    }
}
