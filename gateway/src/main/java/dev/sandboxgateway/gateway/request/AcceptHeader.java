package dev.sandboxgateway.gateway.request;

/** Decides whether a client prefers an HTML page to JSON, from its Accept header. */
public final class AcceptHeader {

    private AcceptHeader() {
    }

    /**
     * True when {@code text/html} is acceptable and ranks at least as high as
     * {@code application/json}; browsers send {@code text/html,...,*}{@code /*;q=0.8}, while
     * curl and SDKs send {@code *}{@code /*} or {@code application/json}.
     */
    public static boolean prefersHtml(String accept) {
        if (accept == null || accept.isEmpty()) {
            return false;
        }
        double html = quality(accept, "text/html");
        return html > 0 && html >= quality(accept, "application/json");
    }

    private static double quality(String accept, String type) {
        int start = 0;
        while (start < accept.length()) {
            int end = accept.indexOf(',', start);
            if (end < 0) {
                end = accept.length();
            }
            String range = accept.substring(start, end).trim();
            int semicolon = range.indexOf(';');
            String mediaRange = (semicolon < 0 ? range : range.substring(0, semicolon)).trim();
            if (mediaRange.equalsIgnoreCase(type)) {
                return q(range, semicolon);
            }
            start = end + 1;
        }
        return 0;
    }

    private static double q(String range, int semicolon) {
        if (semicolon < 0) {
            return 1;
        }
        for (String parameter : range.substring(semicolon + 1).split(";")) {
            String p = parameter.trim();
            if (p.startsWith("q=") || p.startsWith("Q=")) {
                try {
                    return Double.parseDouble(p.substring(2));
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 1;
    }
}
