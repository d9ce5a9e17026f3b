package dev.sandboxgateway.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Tag("unit")
class HostRewriteTest {

    @ParameterizedTest
    @CsvSource({
            // origin, public host, client https, origin sent
            "https://5173-abc.sandbox.example.dev, 5173-abc.sandbox.example.dev, true, http://localhost:5173",
            "https://5173-abc.sandbox.example.dev, 5173-abc.sandbox.example.dev:443, true, http://localhost:5173",
            "http://5173-abc.localhost:8080, 5173-abc.localhost:8080, false, http://localhost:5173",
            "http://5173-ABC.localhost:8080, 5173-abc.localhost:8080, false, http://localhost:5173",
            "https://3000-abc.sandbox.example.dev, 5173-abc.sandbox.example.dev, true, https://3000-abc.sandbox.example.dev",
            "https://ide.example.com, 5173-abc.sandbox.example.dev, true, https://ide.example.com",
            "http://5173-abc.sandbox.example.dev, 5173-abc.sandbox.example.dev, true, http://5173-abc.sandbox.example.dev",
    })
    void onlyTheSandboxsOwnOriginFollowsTheHost(String origin, String publicHost, boolean https, String sent) {
        HttpHeaders headers = new DefaultHttpHeaders().set("Host", publicHost).set("Origin", origin);
        HostRewrite.apply(headers, "localhost:5173", publicHost, https);
        assertEquals("localhost:5173", headers.get("Host"));
        assertEquals(sent, headers.get("Origin"));
    }
}
