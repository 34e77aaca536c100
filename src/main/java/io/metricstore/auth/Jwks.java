package io.metricstore.auth;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * The service-account issuer's JSON Web Key Set, from a file (a ConfigMap the operator keeps current) or from a URL
 * (the API server's {@code /openid/v1/jwks}, fetched with a projected token used for that alone). Only
 * {@link #read()} touches the file or the network; callers decide when (never on a request's thread).
 */
final class Jwks {

    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_BYTES = 1 << 20;

    private final String location;
    private final Optional<Path> tokenFile;
    private final HttpClient http;

    private Jwks(String location, Optional<Path> tokenFile, HttpClient http) {
        this.location = location;
        this.tokenFile = tokenFile;
        this.http = http;
    }

    static Jwks of(String location, Optional<Path> tokenFile, Optional<SSLContext> tls) {
        if (!isUrl(location)) {
            return new Jwks(location, tokenFile, null);
        }
        HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(FETCH_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER);
        tls.ifPresent(http::sslContext);
        return new Jwks(location, tokenFile, http.build());
    }

    static boolean isUrl(String location) {
        return location.startsWith("https://") || location.startsWith("http://");
    }

    String location() {
        return location;
    }

    /** The key set's JSON as it is now; throws with a message that says what failed. */
    String read() throws IOException {
        String json = http == null ? Files.readString(Path.of(location), StandardCharsets.UTF_8) : fetch();
        if (!json.contains("\"keys\"")) {
            throw new IOException("it is not a JSON Web Key Set (no \"keys\")");
        }
        return json;
    }

    private String fetch() throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(location)).timeout(FETCH_TIMEOUT)
                .header("Accept", "application/json");
        if (tokenFile.isPresent()) {
            // The kubelet rotates the projected token: read it for every fetch.
            request.header("Authorization", "Bearer " + Files.readString(tokenFile.get(), StandardCharsets.UTF_8).strip());
        }
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IOException("GET " + location + " answered " + response.statusCode());
            }
            if (response.body().length > MAX_BYTES) {
                throw new IOException("GET " + location + " answered more than " + MAX_BYTES + " bytes");
            }
            return new String(response.body(), StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + location, e);
        }
    }
}
