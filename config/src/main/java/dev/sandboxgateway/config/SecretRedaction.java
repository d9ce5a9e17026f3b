package dev.sandboxgateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Takes the secrets out of a configuration tree before it is shown ({@code print-config}): the
 * tokens become {@value #REDACTED}, and the password in the user-info of a URI ({@code
 * redis://user:password@host}) does too, leaving the rest of the URI to check against.
 */
final class SecretRedaction {

    static final String REDACTED = "<redacted>";

    /** Settings that are secrets as a whole. */
    private static final List<String> TOKENS = List.of("/admin/token", "/registry/http/token", "/wakeUp/token",
            "/registry/redis/password");
    /** Settings that are URIs and may carry a password. */
    private static final List<String> URIS = List.of("/registry/redis/uri", "/registry/http/baseUrl", "/wakeUp/url");

    private SecretRedaction() {
    }

    static void redact(JsonNode root) {
        for (String path : TOKENS) {
            replace(root, path, value -> REDACTED);
        }
        for (String path : URIS) {
            replace(root, path, SecretRedaction::withoutPassword);
        }
    }

    /** {@code uri} with whatever follows the user name in its user-info redacted; unchanged without one. */
    static String withoutPassword(String uri) {
        int authority = uri.indexOf("://");
        int start = authority < 0 ? 0 : authority + 3;
        int end = firstOf(uri, start, "/?#");
        int at = uri.lastIndexOf('@', end - 1);
        if (at < start) {
            return uri;
        }
        int colon = uri.indexOf(':', start);
        int secretFrom = colon >= 0 && colon < at ? colon + 1 : start;
        return uri.substring(0, secretFrom) + REDACTED + uri.substring(at);
    }

    private static int firstOf(String text, int from, String characters) {
        for (int i = from; i < text.length(); i++) {
            if (characters.indexOf(text.charAt(i)) >= 0) {
                return i;
            }
        }
        return text.length();
    }

    private static void replace(JsonNode root, String pointer, UnaryOperator<String> change) {
        int last = pointer.lastIndexOf('/');
        JsonNode parent = root.at(pointer.substring(0, last));
        String field = pointer.substring(last + 1);
        if (parent instanceof ObjectNode object && object.hasNonNull(field)) {
            object.put(field, change.apply(object.get(field).asText()));
        }
    }
}
