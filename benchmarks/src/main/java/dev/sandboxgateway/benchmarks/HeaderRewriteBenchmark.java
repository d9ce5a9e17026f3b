package dev.sandboxgateway.benchmarks;

import dev.sandboxgateway.gateway.http.HopByHopHeaders;
import dev.sandboxgateway.gateway.http.ResponseFraming;
import dev.sandboxgateway.gateway.transport.DecodedHeaderNames;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Header rewriting as every relayed request and response pays it: a browser-like request head and
 * a typical response head, in headers made as the gateway's decoders make them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HeaderRewriteBenchmark {

    private static final HttpHeadersFactory DECODED = DecodedHeaderNames.uncheckedHeaders(new HttpDecoderConfig())
            .getHeadersFactory();
    private static final String CLIENT = "203.0.113.7";
    private static final String HOST = "3000-i62mff4ahtrdfdkyn2esc-b0b684e9.sandbox.example.dev";

    private HttpRequest browserRequest() {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/app/main.js?v=3",
                DECODED);
        HttpHeaders h = request.headers();
        h.add("Host", HOST);
        h.add("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36");
        h.add("Accept", "*/*");
        h.add("Accept-Encoding", "gzip, deflate, br");
        h.add("Accept-Language", "en-GB,en;q=0.9");
        h.add("Connection", "keep-alive");
        h.add("Referer", "https://3000-i62mff4ahtrdfdkyn2esc-b0b684e9.sandbox.example.dev/");
        h.add("Cookie", "theme=dark; session=8f2a9c");
        return request;
    }

    private HttpResponse appResponse() {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, DECODED);
        HttpHeaders h = response.headers();
        h.add("Content-Type", "application/javascript; charset=utf-8");
        h.add("Content-Length", "48213");
        h.add("Cache-Control", "no-cache");
        h.add("ETag", "W/\"bc55-18c3\"");
        h.add("Connection", "keep-alive");
        h.add("Keep-Alive", "timeout=5");
        return response;
    }

    @Benchmark
    public HttpRequest rewriteRequest() {
        HttpRequest request = browserRequest();
        HopByHopHeaders.rewriteRequest(request, null, CLIENT, false, HOST, "443", true);
        return request;
    }

    @Benchmark
    public HttpRequest buildRequestOnly() {
        return browserRequest();
    }

    @Benchmark
    public boolean rewriteResponse() {
        return HopByHopHeaders.rewriteResponse(appResponse(), new ResponseFraming(false, false, HttpVersion.HTTP_1_1));
    }
}
