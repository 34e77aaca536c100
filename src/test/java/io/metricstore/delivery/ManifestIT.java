package io.metricstore.delivery;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.metricstore.PackagedJar;
import io.metricstore.store.redis.RedisTestServer;
import io.restassured.http.ContentType;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged application started with the environment the Kubernetes manifests give it: it must recognise every
 * variable, pass its probes at the manifests' paths on the management port, admit the identities the manifests grant
 * (a service-account token verified against the issuer's keys, fetched as in the cluster; Prometheus' static token)
 * and no one else, and shut down gracefully (readiness DOWN first, requests still served, the GC lease released).
 */
class ManifestIT {

    @Test
    void theManifestEnvironmentStartsAServiceThatShutsDownGracefully() throws Exception {
        Manifests manifests = new Manifests();
        Map<String, String> env = manifests.environment();
        Path files = Files.createTempDirectory("manifest");
        // The Secrets the operator creates (README): the Redis password, and the hash of Prometheus' token.
        String password = ServiceAccountIssuer.randomHex(24);
        String prometheusToken = ServiceAccountIssuer.randomHex(32);
        Path tokens = Files.writeString(files.resolve("tokens"), "prometheus " + sha256(prometheusToken) + "\n");
        RedisTestServer.Server redis = RedisTestServer.Server.launch("requirepass " + password);
        int port = PackagedJar.freePort();
        int managementPort = PackagedJar.freePort();
        File log = Files.createTempFile("manifest", ".log").toFile();
        Process service = null;
        try (ServiceAccountIssuer apiServer = ServiceAccountIssuer.start(env.get("STORE_AUTH_KUBERNETES_ISSUER"), files)) {
            ProcessBuilder builder = new ProcessBuilder(PackagedJar.java(), "-jar", PackagedJar.JAR.toString()).redirectErrorStream(true).redirectOutput(log);
            builder.environment().putAll(env);
            // Only where the service finds Redis, the API server and the mounted files, and where it listens, differ
            // from the cluster; the GC runs every second so that this replica holds the GC lease when it stops.
            builder.environment().put("QUARKUS_REDIS_HOSTS", redis.url());
            builder.environment().put("QUARKUS_REDIS_PASSWORD", password);
            builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
            builder.environment().put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));
            builder.environment().put("STORE_GC_INTERVAL", "1s");
            builder.environment().put("STORE_AUTH_TOKENS_FILE", tokens.toString());
            builder.environment().put("STORE_AUTH_KUBERNETES_JWKS", apiServer.jwksUrl());
            builder.environment().put("STORE_AUTH_KUBERNETES_TOKEN_FILE", apiServer.tokenFile().toString());
            String tlsName = Manifests.environmentName(env.get("STORE_AUTH_KUBERNETES_TLS_CONFIGURATION_NAME"));
            builder.environment().put("QUARKUS_TLS_" + tlsName + "_TRUST_STORE_PEM_CERTS", apiServer.caFile().toString());
            service = builder.start();
            String api = "http://127.0.0.1:" + port;
            String management = "http://127.0.0.1:" + managementPort;
            for (String probe : new String[] {"startupProbe", "livenessProbe", "readinessProbe"}) {
                String path = Manifests.at(manifests.container(), probe, "httpGet", "path");
                awaitStatus(management + path, 200);
            }
            given().get(management + "/q/metrics").then().statusCode(200);
            assertThat(PackagedJar.answers(api + "/q/metrics", 200)).as("the own telemetry only on the management port")
                    .isFalse();

            // The manifests' grants: the exporter's service account writes, locks and reads; Prometheus only reads.
            given().get(api + "/api/v1/cursor").then().statusCode(401);
            String exporter = Arrays.stream(env.get("STORE_AUTH_GRANTS_LOCKER").split(","))
                    .filter(identity -> identity.startsWith("system:serviceaccount:")).findFirst().orElseThrow();
            String exporterToken = apiServer.token(exporter, env.get("STORE_AUTH_KUBERNETES_AUDIENCE"));
            String scrape = "{\"role\":\"leader\",\"source\":\"leader_scrape\",\"points\":[{\"name\":\"manifest_it_up\","
                    + "\"value\":1}]";
            given().auth().oauth2(exporterToken).contentType(ContentType.JSON).body(scrape + "}")
                    .post(api + "/api/v1/points").then().statusCode(403)
                    .body("type", equalTo("urn:metric-store:problem:write-forbidden"));
            given().auth().oauth2(exporterToken).contentType(ContentType.JSON)
                    .body("{\"ttl\":\"30s\",\"token\":\"manifest-it-leader\"}")
                    .post(api + "/api/v1/leases/exporter").then().statusCode(201);
            given().auth().oauth2(exporterToken).contentType(ContentType.JSON)
                    .body(scrape + ",\"lease\":{\"name\":\"exporter\",\"token\":\"manifest-it-leader\"}}")
                    .post(api + "/api/v1/points").then().statusCode(200);
            given().auth().oauth2(exporterToken).contentType(ContentType.JSON).body("{\"ttl\":\"30s\"}")
                    .post(api + "/api/v1/locks/job/manifest-it").then().statusCode(201);
            given().auth().oauth2(exporterToken).get(api + "/api/v1/cursor").then().statusCode(200);
            assertThat(apiServer.fetches()).as("the JWKS was fetched with the projected token").isPositive();
            assertThat(apiServer.refusals()).as("JWKS requests without the projected token").isZero();
            PackagedJar.await(() -> given().auth().oauth2(prometheusToken).get(api + "/metrics").asString()
                    .contains("manifest_it_up"), Duration.ofSeconds(30), "Prometheus' token reads /metrics");
            given().auth().oauth2(prometheusToken).contentType(ContentType.JSON).body("{\"ttl\":\"30s\"}")
                    .post(api + "/api/v1/locks/job/manifest-it-2").then().statusCode(403);

            PackagedJar.await(() -> redisCommand(redis.url(), password, "EXISTS {metric-store}:lock:store:gc").equals(":1"),
                    Duration.ofSeconds(60), "this replica took the GC lease");
            String output = Files.readString(log.toPath(), StandardCharsets.UTF_8);
            assertThat(output).as("every variable is a known property").doesNotContain("Unrecognized configuration key");

            service.destroy();
            awaitStatus(management + "/q/health/ready", 503);
            given().auth().oauth2(prometheusToken).get(api + "/api/v1/cursor").then().statusCode(200);
            assertThat(service.waitFor(40, TimeUnit.SECONDS)).as("stopped within the grace period").isTrue();
            assertThat(redisCommand(redis.url(), password, "EXISTS {metric-store}:lock:store:gc"))
                    .as("the GC lease was released at shutdown").isEqualTo(":0");
        } finally {
            if (service != null) {
                service.destroyForcibly();
            }
            redis.shutdown();
        }
    }

    private static String sha256(String token) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    }

    private static String redisCommand(String url, String password, String command) {
        URI uri = URI.create(url);
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(("AUTH " + password + "\r\n" + command + "\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            BufferedReader reply = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String auth = reply.readLine();
            assertThat(auth).isEqualTo("+OK");
            return reply.readLine();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void awaitStatus(String url, int status) throws InterruptedException {
        PackagedJar.await(() -> PackagedJar.answers(url, status), Duration.ofSeconds(60), url + " answers " + status);
    }
}
