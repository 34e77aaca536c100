package io.metricstore.store.redis;

import static io.metricstore.api.ApiTest.post;
import static io.metricstore.api.ApiTest.scrape;
import static io.metricstore.api.ApiTest.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.metricstore.Management;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Redis over TLS ({@code rediss://}), as the README configures it: a {@code redis-server} with a TLS port only and a
 * certificate made for the test, trusted through the Quarkus TLS registry (host name checked), and the README's ACL
 * user, its password given as {@code quarkus.redis.password}. Skipped where the binary has no TLS, except under
 * {@code CI=true} ({@link RedisTls.Required}).
 */
@QuarkusTest
@TestProfile(RedisTlsTest.OverTls.class)
@ExtendWith(RedisTls.Required.class)
class RedisTlsTest {

    public static class OverTls implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(TlsServer.class));
        }
    }

    /** Marks the {@link Server} field {@link TlsServer} fills in. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface Redis {
    }

    /** The server and the user the application runs as. */
    public record Server(RedisProcess node, ReadmeAclUser user) {
    }

    public static final class TlsServer implements QuarkusTestResourceLifecycleManager {

        private Server server;

        @Override
        public Map<String, String> start() {
            if (!RedisTls.supported(RedisProcess.binary())) {
                throw new IllegalStateException(RedisProcess.binary() + " was built without TLS, and CI=true must run "
                        + "RedisTlsTest: set " + RedisTestServer.BINARY + " to a redis-server with TLS");
            }
            RedisTls tls = RedisTls.create();
            RedisProcess node = RedisProcess.launchTls("tls", tls, port -> List.of("save \"\"", "appendonly no"));
            ReadmeAclUser user = ReadmeAclUser.generate();
            try {
                user.createOn(node);
            } catch (RuntimeException | Error e) {
                node.destroy();
                throw e;
            }
            server = new Server(node, user);
            return Map.of("store.backend", "redis",
                    // A user in the URL counts only with a password beside it: alone, the client would log in as
                    // the default user. The query parameter names the user without the password.
                    "quarkus.redis.hosts", "rediss://127.0.0.1:" + node.port + "?user=" + user.name(),
                    "quarkus.redis.password", user.password(),
                    "quarkus.redis.tls-configuration-name", "redis",
                    "quarkus.tls.redis.trust-store.pem.certs", tls.cert().toString(),
                    "quarkus.tls.redis.hostname-verification-algorithm", "HTTPS");
        }

        @Override
        public void inject(TestInjector injector) {
            injector.injectIntoFields(server, new TestInjector.AnnotatedAndMatchesType(Redis.class, Server.class));
        }

        @Override
        public void stop() {
            if (server != null) {
                server.node().destroy();
            }
        }
    }

    @Redis
    Server redis;

    @Test
    void theServiceWritesAndReadsOverTlsAsTheReadmeUser() {
        String name = unique("tls");
        post("/api/v1/points", scrape("{\"name\":\"" + name + "\",\"labels\":{\"via\":\"tls\"},\"value\":42}"))
                .statusCode(200).body("applied", equalTo(1));
        given().queryParam("name", name).when().get("/api/v1/series").then().statusCode(200)
                .body("series[0].value", equalTo(42.0f)).body("series[0].labels.via", equalTo("tls"));
        String lock = "/api/v1/locks/job/" + name;
        post(lock, "{\"ttl\":\"30s\",\"token\":\"t1\"}").statusCode(201);
        given().header("Lock-Token", "t1").when().delete(lock).then().statusCode(204);
        readiness().statusCode(200);

        // Redis has no plain port, and a plain client gets no answer on the TLS one.
        assertThat(redis.node().call("CONFIG", "GET", "port")).isEqualTo(List.of("port", "0"));
        assertThat(Resp.tryCall(redis.node().port, "PING")).isNull();
        assertThat(((String) redis.node().call("CLIENT", "LIST")).lines())
                .as("the application's connections").anyMatch(client -> client.contains(" flags=N ")
                        && client.contains(" user=" + redis.user().name() + " "));
        assertThat((List<?>) redis.node().call("ACL", "LOG")).as("what Redis refused the README's user").isEmpty();
    }

    /** Readiness, in one place: the probes may move to the management interface. */
    private static ValidatableResponse readiness() {
        return Management.given().when().get("/q/health/ready").then();
    }
}
