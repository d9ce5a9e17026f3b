package dev.sandboxgateway.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version the build stamped into the jar ({@code gateway-version.properties}), for --version and gateway_build_info. */
final class BuildVersion {

    private BuildVersion() {
    }

    static String current() {
        try (InputStream in = BuildVersion.class.getResourceAsStream("/gateway-version.properties")) {
            Properties properties = new Properties();
            if (in != null) {
                properties.load(in);
            }
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
