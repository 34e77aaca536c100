package io.metricstore;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Requests to the management interface of the application under test (probes, own telemetry, OpenAPI): its own
 * port, which Quarkus picks at random in tests ({@code quarkus.management.test-port=0}) and records once listening.
 */
public final class Management {

    private Management() {
    }

    public static int port() {
        return ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
    }

    public static RequestSpecification given() {
        return RestAssured.given().port(port());
    }

    /** The URL of {@code path} on the management interface of the application under test. */
    public static String url(String path) {
        return RestAssured.baseURI + ":" + port() + path;
    }
}
