package dev.sandboxgateway.gateway.backend;

/** Where a backend connection goes after an exchange that left its framing clean. */
interface ConnectionOwner {

    void release(BackendConnection connection);
}
