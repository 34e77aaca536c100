package io.metricstore.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tokens file holds hashes only; a presented token is found by its SHA-256. */
class StaticTokensTest {

    @TempDir
    Path dir;

    static String sha256(String token) {
        return HexFormat.of().formatHex(StaticTokens.sha256(token));
    }

    @Test
    void aTokenIsFoundByItsHashAndNothingElseMatches() throws IOException {
        Path file = Files.writeString(dir.resolve("tokens"), """
                # who  sha256 of the token
                prometheus %s
                system:serviceaccount:apps:exporter %s   # a Kubernetes name works as well

                """.formatted(sha256("p-secret"), sha256("e-secret")));
        StaticTokens tokens = StaticTokens.read(file);
        assertThat(tokens.size()).isEqualTo(2);
        assertThat(tokens.identityOf(StaticTokens.sha256("p-secret"))).contains("prometheus");
        assertThat(tokens.identityOf(StaticTokens.sha256("e-secret"))).contains("system:serviceaccount:apps:exporter");
        assertThat(tokens.identityOf(StaticTokens.sha256("p-secreT"))).isEmpty();
        assertThat(tokens.identityOf(StaticTokens.sha256(sha256("p-secret")))).as("the hash itself is no token").isEmpty();
        assertThat(tokens.identityOf(StaticTokens.sha256(""))).isEmpty();
    }

    @Test
    void aLineThatIsNotIdentityAndHashIsNamed() throws IOException {
        Path plain = Files.writeString(dir.resolve("plain"), "prometheus " + sha256("x") + "\nexporter s3cret\n");
        assertThatThrownBy(() -> StaticTokens.read(plain)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 2 is not '<identity> <sha256 of the token");
        Path upper = Files.writeString(dir.resolve("upper"), "prometheus " + sha256("x").toUpperCase() + "\n");
        assertThatThrownBy(() -> StaticTokens.read(upper)).hasMessageContaining("line 1");
        Path three = Files.writeString(dir.resolve("three"), "a b " + sha256("x") + "\n");
        assertThatThrownBy(() -> StaticTokens.read(three)).hasMessageContaining("line 1");
    }
}
