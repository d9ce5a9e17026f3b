/** Certificates chosen by SNI and reloaded when their files change, and the choice of TLS provider. */
package dev.sandboxgateway.gateway.tls;
