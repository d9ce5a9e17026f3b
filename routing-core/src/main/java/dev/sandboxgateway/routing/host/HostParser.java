package dev.sandboxgateway.routing.host;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Parses {@code {port}-{sandboxId}[-{suffix}].{baseDomain}[:{hostPort}]} from a Host header.
 *
 * <p>Runs on every request, so it scans characters by hand: no regex, no splitting, and on the
 * accepted path only the id and suffix strings are allocated (plus a lower-cased copy when the
 * client sent upper case). Rejections carry a message naming the part that is wrong.
 */
public final class HostParser {

    private static final String FORMAT = "{port}-{sandboxId}[-{suffix}]";

    private final String[] baseDomains;
    private final Set<String> sharedHosts;
    private final LengthRange idLength;
    private final LengthRange suffixLength;

    public HostParser(HostRules rules) {
        // Longest first, so a base domain nested in another one wins over its parent.
        List<String> sorted = rules.baseDomains().stream()
                .sorted(Comparator.comparingInt(String::length).reversed())
                .toList();
        this.baseDomains = sorted.toArray(String[]::new);
        this.sharedHosts = rules.sharedHosts();
        this.idLength = rules.sandboxIdLength();
        this.suffixLength = rules.suffixLength();
    }

    /** Parses a Host header value (or the authority of an absolute-form request target). */
    public ParsedHost parse(String host) {
        if (host == null || host.isEmpty()) {
            return new InvalidHost("the request has no Host header");
        }
        if (host.charAt(0) == '[') {
            return new InvalidHost("host '" + host + "' is an IP address literal; sandbox URLs look like "
                    + FORMAT + "." + baseDomains[0]);
        }
        int end = host.length();
        int colon = host.indexOf(':');
        if (colon >= 0) {
            if (!isPortNumber(host, colon + 1, end)) {
                return new InvalidHost("the port after ':' in host '" + host + "' is not a number from 1 to 65535");
            }
            end = colon;
        }
        if (end > 0 && host.charAt(end - 1) == '.') {
            end--;
        }
        if (end == 0) {
            return new InvalidHost("host '" + host + "' has an empty name");
        }
        boolean upperCase = false;
        for (int i = 0; i < end; i++) {
            char c = host.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                upperCase = true;
            } else if (!isLowerAlphanumeric(c) && c != '-' && c != '.') {
                return new InvalidHost("host '" + host + "' contains the character '" + printable(c)
                        + "', which is not allowed in a host name");
            }
        }
        String name = end == host.length() ? host : host.substring(0, end);
        if (upperCase) {
            name = name.toLowerCase(Locale.ROOT);
        }
        if (sharedHosts.contains(name)) {
            return SharedHost.INSTANCE;
        }
        for (String domain : baseDomains) {
            int labelEnd = name.length() - domain.length() - 1;
            if (labelEnd > 0 && name.endsWith(domain) && name.charAt(labelEnd) == '.') {
                return parseLabel(host, name, labelEnd, domain);
            }
        }
        return new InvalidHost("host '" + host + "' is not under a configured base domain ("
                + String.join(", ", baseDomains) + ")");
    }

    /** Validates the routing headers sent to a shared host. */
    public ParsedHost parseHeaders(String sandboxId, String port) {
        if (sandboxId == null || sandboxId.isEmpty()) {
            return new InvalidHost("requests to a shared host must name the sandbox in the X-Sandbox-Id header");
        }
        if (port == null || port.isEmpty()) {
            return new InvalidHost("requests to a shared host must name the sandbox port in the X-Sandbox-Port header");
        }
        String id = sandboxId.toLowerCase(Locale.ROOT);
        String idProblem = checkPart(id, 0, id.length(), "sandbox id", idLength);
        if (idProblem != null) {
            return new InvalidHost("X-Sandbox-Id: " + idProblem);
        }
        String portProblem = checkPort(port, 0, port.length());
        if (portProblem != null) {
            return new InvalidHost("X-Sandbox-Port: " + portProblem);
        }
        return new SandboxTarget(parseDigits(port, 0, port.length()), id, null);
    }

    private ParsedHost parseLabel(String host, String name, int labelEnd, String domain) {
        if (name.lastIndexOf('.', labelEnd - 1) >= 0) {
            return new InvalidHost("host '" + host + "' has more than one label before '" + domain
                    + "'; expected " + FORMAT + "." + domain);
        }
        int firstDash = name.indexOf('-');
        if (firstDash < 0 || firstDash > labelEnd) {
            return new InvalidHost("host '" + host + "' does not name a sandbox port; expected " + FORMAT + "." + domain);
        }
        String portProblem = checkPort(name, 0, firstDash);
        if (portProblem != null) {
            return new InvalidHost(portProblem + " (host '" + host + "')");
        }
        int idStart = firstDash + 1;
        int secondDash = name.indexOf('-', idStart);
        int idEnd = secondDash < 0 || secondDash > labelEnd ? labelEnd : secondDash;
        String idProblem = checkPart(name, idStart, idEnd, "sandbox id", idLength);
        if (idProblem != null) {
            return new InvalidHost(idProblem + " (host '" + host + "')");
        }
        @Nullable String suffix = null;
        if (idEnd < labelEnd) {
            int suffixStart = idEnd + 1;
            int extraDash = name.indexOf('-', suffixStart);
            if (extraDash >= 0 && extraDash < labelEnd) {
                return new InvalidHost("host '" + host + "' has more than three '-'-separated parts; expected "
                        + FORMAT + "." + domain);
            }
            String suffixProblem = checkPart(name, suffixStart, labelEnd, "suffix", suffixLength);
            if (suffixProblem != null) {
                return new InvalidHost(suffixProblem + " (host '" + host + "')");
            }
            suffix = name.substring(suffixStart, labelEnd);
        }
        return new SandboxTarget(parseDigits(name, 0, firstDash), name.substring(idStart, idEnd), suffix);
    }

    private static @Nullable String checkPort(String s, int from, int to) {
        if (from == to) {
            return "the port is missing";
        }
        if (!allDigits(s, from, to)) {
            return "port '" + s.substring(from, to) + "' is not a decimal number";
        }
        if (s.charAt(from) == '0') {
            return "port '" + s.substring(from, to) + "' must not start with 0";
        }
        if (to - from > 5 || parseDigits(s, from, to) > 65535) {
            return "port " + s.substring(from, to) + " is out of range 1-65535";
        }
        return null;
    }

    private static @Nullable String checkPart(String s, int from, int to, String what, LengthRange length) {
        for (int i = from; i < to; i++) {
            if (!isLowerAlphanumeric(s.charAt(i))) {
                return what + " '" + s.substring(from, to) + "' may contain only a-z and 0-9";
            }
        }
        if (!length.contains(to - from)) {
            return what + " '" + s.substring(from, to) + "' is " + (to - from)
                    + " characters long; allowed length is " + length;
        }
        return null;
    }

    private static boolean isPortNumber(String s, int from, int to) {
        return from < to && to - from <= 5 && allDigits(s, from, to) && s.charAt(from) != '0'
                && parseDigits(s, from, to) <= 65535;
    }

    private static boolean allDigits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static int parseDigits(String s, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            value = value * 10 + (s.charAt(i) - '0');
        }
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isLowerAlphanumeric(char c) {
        return (c >= 'a' && c <= 'z') || isDigit(c);
    }

    private static String printable(char c) {
        return c >= 0x21 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c);
    }
}
