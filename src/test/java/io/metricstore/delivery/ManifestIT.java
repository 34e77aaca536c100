package io.metricstore.delivery;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.metricstore.PackagedJar;
import io.metricstore.store.redis.RedisTestServer;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged application started with the environment the Kubernetes manifests give it: it must recognise every
 * variable, pass its probes at the manifests' paths, and shut down gracefully (readiness DOWN first, requests still
 * served, the GC lease released).
 */
class ManifestIT {

    @Test
    void theManifestEnvironmentStartsAServiceThatShutsDownGracefully() throws Exception {
        Manifests manifests = new Manifests();
        Map<String, String> env = manifests.environment();
        String password = Manifests.at(manifests.find("Secret", "metric-store-redis"), "stringData", "password");
        RedisTestServer.Server redis = RedisTestServer.Server.launch("requirepass " + password);
        int port = PackagedJar.freePort();
        File log = Files.createTempFile("manifest", ".log").toFile();
        Process service = null;
        try {
            ProcessBuilder builder = new ProcessBuilder(PackagedJar.java(), "-jar", PackagedJar.JAR.toString()).redirectErrorStream(true).redirectOutput(log);
            builder.environment().putAll(env);
            // Only where the service finds Redis and listens differs from the cluster; the GC runs every second so
            // that this replica holds the GC lease when it stops.
            builder.environment().put("QUARKUS_REDIS_HOSTS", redis.url());
            builder.environment().put("QUARKUS_REDIS_PASSWORD", password);
            builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
            builder.environment().put("STORE_GC_INTERVAL", "1s");
            service = builder.start();
            String base = "http://127.0.0.1:" + port;
            for (String probe : new String[] {"startupProbe", "livenessProbe", "readinessProbe"}) {
                String path = Manifests.at(manifests.container(), probe, "httpGet", "path");
                awaitStatus(base + path, 200);
            }
            PackagedJar.await(() -> redisCommand(redis.url(), password, "EXISTS {metric-store}:lock:store:gc").equals(":1"),
                    Duration.ofSeconds(60), "this replica took the GC lease");
            String output = Files.readString(log.toPath(), StandardCharsets.UTF_8);
            assertThat(output).as("every variable is a known property").doesNotContain("Unrecognized configuration key");

            service.destroy();
            awaitStatus(base + "/q/health/ready", 503);
            given().get(base + "/api/v1/cursor").then().statusCode(200);
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
