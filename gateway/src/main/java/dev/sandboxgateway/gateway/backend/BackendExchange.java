package dev.sandboxgateway.gateway.backend;

import io.netty.handler.codec.http.HttpObject;

/** The request currently using a backend connection; receives everything that happens on it. */
public interface BackendExchange {

    void onResponse(HttpObject message);

    /** A read batch ended: flush what was relayed to the client. */
    void onResponseReadComplete();

    void onBackendWritabilityChanged(boolean writable);

    /** The connection closed while this exchange used it. */
    void onBackendClosed();

    /** No response head arrived within the response timeout. */
    void onResponseTimeout();
}
