package dev.sandboxgateway.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.TestCertificates;
import dev.sandboxgateway.testing.UnusedPorts;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC through the gateway with grpc-java on both ends: over TLS (ALPN h2) and over h2c prior
 * knowledge, to a sandbox serving h2c. Unary and bidirectional streaming calls, the sandbox's
 * status and trailers, and the gateway's own failures as gRPC statuses.
 */
class GrpcTest {

    private static final MethodDescriptor.Marshaller<String> TEXT = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private static final MethodDescriptor<String, String> UNARY = method("Unary", MethodDescriptor.MethodType.UNARY);
    private static final MethodDescriptor<String, String> CHAT = method("Chat", MethodDescriptor.MethodType.BIDI_STREAMING);
    private static final MethodDescriptor<String, String> REFUSE = method("Refuse", MethodDescriptor.MethodType.UNARY);
    private static final Metadata.Key<String> DETAIL = Metadata.Key.of("x-detail", Metadata.ASCII_STRING_MARSHALLER);

    private static MethodDescriptor<String, String> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<String, String>newBuilder()
                .setType(type)
                .setFullMethodName("test.Echo/" + name)
                .setRequestMarshaller(TEXT)
                .setResponseMarshaller(TEXT)
                .build();
    }

    @TempDir
    Path dir;

    private TestCertificates authority;
    private Server sandbox;
    private GatewayFixture gateway;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        ServerServiceDefinition echo = ServerServiceDefinition.builder("test.Echo")
                .addMethod(UNARY, ServerCalls.asyncUnaryCall((request, response) -> {
                    response.onNext("echo: " + request);
                    response.onCompleted();
                }))
                .addMethod(CHAT, ServerCalls.asyncBidiStreamingCall(response -> new StreamObserver<String>() {
                    @Override
                    public void onNext(String message) {
                        response.onNext(message.toUpperCase(Locale.ROOT));
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        response.onCompleted();
                    }
                }))
                .addMethod(REFUSE, ServerCalls.asyncUnaryCall((request, response) -> {
                    Metadata trailers = new Metadata();
                    trailers.put(DETAIL, "refused " + request);
                    response.onError(Status.FAILED_PRECONDITION.withDescription("not today, " + request)
                            .asRuntimeException(trailers));
                }))
                .build();
        sandbox = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(echo).build().start();
        authority = new TestCertificates();
        Path pem = TestCertificates.writeCombined(authority.issue("*.sandbox.test"), dir.resolve("sandbox.pem"));
        gateway = GatewayFixture.start(Map.of(
                "GATEWAY_TLS_ENABLED", "true",
                "GATEWAY_TLS_CERTIFICATES", pem.toString(),
                "GATEWAY_HTTP2_CLEARTEXT", "true",
                "GATEWAY_BACKEND_PORT_STARTUP_WAIT", "500ms",
                "GATEWAY_ROUTING_BASE_DOMAINS", "sandbox.test")).register("box");
    }

    @AfterEach
    void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        gateway.close();
        sandbox.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    private ManagedChannel overTls(String authority) throws Exception {
        channel = NettyChannelBuilder.forAddress("127.0.0.1", gateway.tlsPort())
                .overrideAuthority(authority)
                .sslContext(GrpcSslContexts.forClient().trustManager(this.authority.authorityCertificate()).build())
                .build();
        return channel;
    }

    private ManagedChannel overCleartext(String authority) {
        channel = NettyChannelBuilder.forAddress("127.0.0.1", gateway.port())
                .overrideAuthority(authority)
                .usePlaintext()
                .build();
        return channel;
    }

    private String sandboxHost() {
        return sandbox.getPort() + "-box.sandbox.test";
    }

    private static String unary(ManagedChannel channel, MethodDescriptor<String, String> method, String request) {
        return ClientCalls.blockingUnaryCall(channel, method, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS),
                request);
    }

    @Test
    void unaryCallOverTls() throws Exception {
        assertEquals("echo: over tls", unary(overTls(sandboxHost()), UNARY, "over tls"));
    }

    @Test
    void unaryCallOverCleartextHttp2WithPriorKnowledge() {
        assertEquals("echo: over h2c", unary(overCleartext(sandboxHost()), UNARY, "over h2c"));
    }

    @Test
    void bidirectionalStreamingIsRelayedMessageByMessage() throws Exception {
        BlockingQueue<String> replies = new LinkedBlockingQueue<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<String> requests = ClientCalls.asyncBidiStreamingCall(
                overTls(sandboxHost()).newCall(CHAT, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS)),
                new StreamObserver<>() {
                    @Override
                    public void onNext(String value) {
                        replies.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(null);
                    }
                });
        // Each reply must arrive while the request stream is still open: nothing waits for the whole call.
        for (String word : new String[] {"one", "two", "three"}) {
            requests.onNext(word);
            assertEquals(word.toUpperCase(Locale.ROOT), replies.poll(20, TimeUnit.SECONDS));
        }
        requests.onCompleted();
        done.get(20, TimeUnit.SECONDS);
    }

    @Test
    void theSandboxesStatusAndTrailersReachTheClient() throws Exception {
        StatusRuntimeException error = assertThrows(StatusRuntimeException.class,
                () -> unary(overTls(sandboxHost()), REFUSE, "alice"));
        assertEquals(Status.Code.FAILED_PRECONDITION, error.getStatus().getCode());
        assertEquals("not today, alice", error.getStatus().getDescription());
        assertEquals("refused alice", error.getTrailers().get(DETAIL));
    }

    @Test
    void gatewayFailuresAreGrpcStatuses() throws Exception {
        StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class,
                () -> unary(overTls(sandbox.getPort() + "-nobody.sandbox.test"), UNARY, "hi"));
        assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
        assertTrue(unknown.getStatus().getDescription().contains("There is no sandbox nobody"),
                unknown.getStatus().getDescription());
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);

        int closedPort = UnusedPorts.next();
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> unary(overTls(closedPort + "-box.sandbox.test"), UNARY, "hi"));
        assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
        assertTrue(refused.getStatus().getDescription().contains("Nothing was listening on port " + closedPort),
                refused.getStatus().getDescription());
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);

        // The record's address is the gateway's: its h2c edge port would take the call round again.
        StatusRuntimeException itself = assertThrows(StatusRuntimeException.class,
                () -> unary(overTls(gateway.port() + "-box.sandbox.test"), UNARY, "hi"));
        assertEquals(Status.Code.FAILED_PRECONDITION, itself.getStatus().getCode());
        assertTrue(itself.getStatus().getDescription().contains("leads back to this gateway"),
                itself.getStatus().getDescription());
    }

    @Test
    void nothingNettyAddsInternallyReachesTheClient() throws Exception {
        List<String> names = new CopyOnWriteArrayList<>();
        ClientInterceptor recordNames = new ClientInterceptor() {
            @Override
            public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options,
                                                         Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<A> listener, Metadata headers) {
                        super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                            @Override
                            public void onHeaders(Metadata head) {
                                names.addAll(head.keys());
                                super.onHeaders(head);
                            }

                            @Override
                            public void onClose(Status status, Metadata trailers) {
                                names.addAll(trailers.keys());
                                super.onClose(status, trailers);
                            }
                        }, headers);
                    }
                };
            }
        };
        Channel intercepted = ClientInterceptors.intercept(overCleartext(sandboxHost()), recordNames);
        // A normal response (head, message, trailers), then a trailers-only one (the call fails before any message).
        assertEquals("echo: hi", ClientCalls.blockingUnaryCall(intercepted, UNARY,
                CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), "hi"));
        assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(intercepted, REFUSE,
                CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), "bob"));
        assertTrue(names.contains("x-detail"), "the trailers-only response was not seen: " + names);
        assertTrue(names.stream().noneMatch(name -> name.startsWith("x-http2-")), names.toString());
    }
}
