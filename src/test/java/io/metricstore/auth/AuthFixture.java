package io.metricstore.auth;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Authentication on, with both identity sources, for a {@code @QuarkusTest}: a tokens file of static tokens (one
 * identity per role, and one with none), and a service-account issuer whose key set the service reads from a file
 * ({@code jwks=file}) or fetches over HTTP with a projected token ({@code jwks=url}). Tokens are real: random static
 * ones, and JWTs signed with the issuer's generated RSA key.
 */
public class AuthFixture implements QuarkusTestResourceLifecycleManager {

    /** The service account granted writer, locker and reader through its Kubernetes identity. */
    public static final String EXPORTER = "system:serviceaccount:apps:exporter";
    /** The projected token the service sends when it fetches the key set; the fake API server checks it. */
    static final String FETCH_TOKEN = "projected-" + UUID.randomUUID();

    public static final Issuer ISSUER = new Issuer();
    /** Static tokens by identity: reader-bot, writer-bot, locker-bot, admin-bot, nobody (no role). */
    public static final Map<String, String> TOKENS = new LinkedHashMap<>();
    static final AtomicInteger JWKS_FETCHES = new AtomicInteger();

    static {
        for (String identity : new String[] {"reader-bot", "writer-bot", "locker-bot", "admin-bot", "nobody"}) {
            TOKENS.put(identity, UUID.randomUUID().toString().replace("-", ""));
        }
    }

    private String jwks = "file";
    private HttpServer apiServer;

    @Override
    public void init(Map<String, String> initArgs) {
        jwks = initArgs.getOrDefault("jwks", "file");
    }

    @Override
    public Map<String, String> start() {
        try {
            Path dir = Files.createDirectories(Path.of("target", "auth-fixture", UUID.randomUUID().toString()));
            StringBuilder lines = new StringBuilder("# identity sha256\n");
            TOKENS.forEach((identity, token) -> lines.append(identity).append(' ')
                    .append(StaticTokensTest.sha256(token)).append('\n'));
            Path tokensFile = Files.writeString(dir.resolve("tokens"), lines);
            Map<String, String> config = new HashMap<>(Map.of(
                    "store.auth.enabled", "true",
                    "store.auth.tokens-file", tokensFile.toString(),
                    "store.auth.kubernetes.issuer", Issuer.ISSUER,
                    "store.auth.grants.reader", "reader-bot, " + EXPORTER,
                    "store.auth.grants.writer", "writer-bot," + EXPORTER,
                    "store.auth.grants.locker", "locker-bot," + EXPORTER,
                    "store.auth.grants.admin", "admin-bot"));
            if (jwks.equals("url")) {
                Path fetchToken = Files.writeString(dir.resolve("token"), FETCH_TOKEN + "\n");
                config.put("store.auth.kubernetes.jwks", serveJwks() + "/openid/v1/jwks");
                config.put("store.auth.kubernetes.token-file", fetchToken.toString());
            } else {
                config.put("store.auth.kubernetes.jwks",
                        Files.writeString(dir.resolve("jwks.json"), ISSUER.jwks()).toString());
            }
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A stand-in for the API server's /openid/v1/jwks: it answers only the projected token. */
    private String serveJwks() throws IOException {
        apiServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        apiServer.createContext("/openid/v1/jwks", exchange -> {
            byte[] body;
            int status;
            if (("Bearer " + FETCH_TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                JWKS_FETCHES.incrementAndGet();
                body = ISSUER.jwks().getBytes(StandardCharsets.UTF_8);
                status = 200;
            } else {
                body = "{\"kind\":\"Status\",\"code\":401}".getBytes(StandardCharsets.UTF_8);
                status = 401;
            }
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        apiServer.start();
        return "http://127.0.0.1:" + apiServer.getAddress().getPort();
    }

    @Override
    public void stop() {
        if (apiServer != null) {
            apiServer.stop(0);
        }
    }
}
