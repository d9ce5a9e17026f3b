package dev.sandboxgateway.routing.host;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What hosts the gateway answers for.
 *
 * @param baseDomains     wildcard domains whose single-label subdomains name sandbox ports
 * @param sharedHosts     hosts whose requests select the sandbox by header
 * @param sandboxIdLength allowed length of the sandbox id
 * @param suffixLength    allowed length of the optional suffix
 */
public record HostRules(List<String> baseDomains, Set<String> sharedHosts,
                        LengthRange sandboxIdLength, LengthRange suffixLength) {

    public HostRules {
        if (baseDomains.isEmpty()) {
            throw new IllegalArgumentException("at least one base domain is required");
        }
        sandboxIdLength.problem().ifPresent(problem -> {
            throw new IllegalArgumentException("sandboxIdLength: " + problem);
        });
        suffixLength.problem().ifPresent(problem -> {
            throw new IllegalArgumentException("suffixLength: " + problem);
        });
        baseDomains = baseDomains.stream().map(HostRules::normalise).distinct().collect(Collectors.toUnmodifiableList());
        sharedHosts = sharedHosts.stream().map(HostRules::normalise).collect(Collectors.toUnmodifiableSet());
    }

    /** The shared hosts used when none are configured: every base domain itself, and {@code localhost}. */
    public static Set<String> defaultSharedHosts(List<String> baseDomains) {
        Set<String> hosts = baseDomains.stream().map(HostRules::normalise).collect(Collectors.toSet());
        hosts.add("localhost");
        return Set.copyOf(hosts);
    }

    private static String normalise(String domain) {
        String d = domain.trim().toLowerCase(Locale.ROOT);
        return d.endsWith(".") ? d.substring(0, d.length() - 1) : d;
    }
}
