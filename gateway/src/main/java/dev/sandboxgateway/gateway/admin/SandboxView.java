package dev.sandboxgateway.gateway.admin;

import dev.sandboxgateway.routing.registry.CidrBlock;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import dev.sandboxgateway.routing.registry.SandboxState;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** A sandbox as the admin API shows it: the access token is never echoed back, only whether one is set. */
record SandboxView(String id, @Nullable String suffix, String backendHost, SandboxState state, Set<Integer> allowedPorts,
                   boolean hasAccessToken, Map<String, String> labels, List<CidrBlock> allowedClients,
                   @Nullable Long maxRequestBodySize, @Nullable Long portStartupWaitMillis,
                   List<String> allowedOrigins, Map<String, String> hostRewrite) {

    static SandboxView of(SandboxRecord record) {
        return new SandboxView(record.id(), record.suffix(), record.backendHost(), record.state(),
                record.allowedPorts(), record.accessToken() != null, record.labels(), record.allowedClients(),
                record.maxRequestBodySize(), record.portStartupWaitMillis(), record.allowedOrigins(),
                record.hostRewrite());
    }
}
