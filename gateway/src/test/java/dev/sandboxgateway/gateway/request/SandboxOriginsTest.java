package dev.sandboxgateway.gateway.request;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Tag("unit")
class SandboxOriginsTest {

    private final SandboxOrigins origins = new SandboxOrigins(List.of("sandbox.example.dev", "localhost"));

    @ParameterizedTest
    @CsvSource({
            "https://3000-abc.sandbox.example.dev, true",
            "https://3000-ABC.Sandbox.Example.Dev, true",
            "http://5173-abc.localhost:8080, true",
            "https://sandbox.example.dev, false",
            "https://evil-sandbox.example.dev, false",
            "https://3000-abc.sandbox.example.dev.evil.com, false",
            "https://ide.example.com, false",
            "null, false",
            "https://user@3000-abc.sandbox.example.dev, false",
            "https://3000-abc.sandbox.example.dev/path, false",
            "garbage, false",
    })
    void onlyHostsUnderABaseDomainAreSandboxOrigins(String origin, boolean sandbox) {
        assertEquals(sandbox, origins.isSandboxOrigin(origin));
    }
}
