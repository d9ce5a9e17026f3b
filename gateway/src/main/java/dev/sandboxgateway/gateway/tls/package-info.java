/** Certificates chosen by SNI and reloaded when their files change, and the choice of TLS provider. */
@NullMarked
package dev.sandboxgateway.gateway.tls;

import org.jspecify.annotations.NullMarked;
