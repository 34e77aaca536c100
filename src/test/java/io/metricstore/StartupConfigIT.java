package io.metricstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Bad configuration stops the packaged application at start-up with a message that names the property. */
class StartupConfigIT {

    @Test
    void anOutOfRangeValueNamesTheProperty() throws Exception {
        Result result = start("-Dstore.retention=0s", "-Dstore.max-series=-5");
        assertThat(result.exitCode).isNotZero();
        assertThat(result.output).contains("store.retention must be a positive duration")
                .contains("store.max-series must be at least 1");
    }

    @Test
    void connectionLimitsThatDoNotFitTheWatchNameTheProperties() throws Exception {
        Result result = start("-Dquarkus.http.idle-timeout=20s", "-Dquarkus.http.limits.max-connections=100");
        assertThat(result.exitCode).isNotZero();
        assertThat(result.output).contains("quarkus.http.idle-timeout (PT20S) must be longer than store.changes.max-wait")
                .contains("quarkus.http.limits.max-connections (100) must be above store.changes.max-waiters");
    }

    @Test
    void anUnknownBackendNamesTheProperty() throws Exception {
        Result result = start("-Dstore.backend=mongo");
        assertThat(result.exitCode).isNotZero();
        assertThat(result.output).contains("store.backend");
    }

    @Test
    void theRedisBackendWithoutARedisNamesTheMissingProperty() throws Exception {
        Result result = start("-Dstore.backend=redis");
        assertThat(result.exitCode).isNotZero();
        assertThat(result.output).contains("store.backend=redis needs a Redis: set quarkus.redis.hosts");
    }

    @Test
    void anUnparsableDurationNamesTheProperty() throws Exception {
        Result result = start("-Dstore.gc.interval=often");
        assertThat(result.exitCode).isNotZero();
        assertThat(result.output).contains("store.gc.interval");
    }

    @Test
    void authenticationWithoutAnIdentitySourceNamesTheProperties() throws Exception {
        Result result = start("-Dstore.auth.enabled=true");
        assertThat(result.exitCode).isNotZero();
        assertThat(result.output).contains("store.auth.enabled=true needs an identity source")
                .contains("store.auth.tokens-file").contains("store.auth.kubernetes.jwks");
    }

    @Test
    void aGrantOfAnUnknownRoleNamesTheProperty() throws Exception {
        Result result = start("-Dstore.auth.tokens-file=" + tokensFile(), "-Dstore.auth.grants.superuser=me");
        assertThat(result.exitCode).isNotZero();
        assertThat(result.output).contains("store.auth.grants.superuser names no role");
    }

    @Test
    void aTokensFileWithAPlainTokenNamesTheLine() throws Exception {
        File file = Files.createTempFile("tokens", ".txt").toFile();
        Files.writeString(file.toPath(), "# ok\nexporter s3cret\n");
        Result result = start("-Dstore.auth.tokens-file=" + file);
        assertThat(result.exitCode).isNotZero();
        assertThat(result.output).contains("store.auth.tokens-file").contains("line 2 is not '<identity> <sha256");
    }

    /** Running open is a choice the operator should see: one WARN, the only one of a normal start. */
    @Test
    void runningOpenLogsOneWarning() throws Exception {
        File log = Files.createTempFile("open", ".log").toFile();
        Process process = new ProcessBuilder(PackagedJar.java(), "-Dquarkus.http.port=0", "-Dquarkus.management.port=0",
                "-Dstore.auth.enabled=false", "-jar", PackagedJar.JAR.toString())
                .redirectErrorStream(true).redirectOutput(log).start();
        try {
            PackagedJar.await(() -> !process.isAlive() || read(log).contains("Listening on"), Duration.ofSeconds(60),
                    "the open service started");
        } finally {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(read(log).lines().filter(line -> line.contains(" WARN ") || line.contains(" ERROR ")))
                .singleElement().asString().contains("store.auth.enabled=false");
    }

    private static String read(File file) {
        try {
            return Files.readString(file.toPath(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String tokensFile() throws IOException {
        File file = Files.createTempFile("tokens", ".txt").toFile();
        Files.writeString(file.toPath(), "me " + "0".repeat(64) + "\n");
        return file.toString();
    }

    private record Result(int exitCode, String output) {
    }

    private static Result start(String... properties) throws IOException, InterruptedException {
        assertThat(PackagedJar.JAR).exists();
        List<String> command = new ArrayList<>();
        command.add(PackagedJar.java());
        command.add("-Dquarkus.http.port=0");
        command.add("-Dquarkus.management.port=0");
        if (List.of(properties).stream().noneMatch(p -> p.startsWith("-Dstore.auth."))) {
            command.add("-Dstore.auth.enabled=false");
        }
        command.addAll(List.of(properties));
        command.add("-jar");
        command.add(PackagedJar.JAR.toString());
        File log = Files.createTempFile("startup", ".log").toFile();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the application started although its configuration is bad: "
                    + Files.readString(log.toPath(), StandardCharsets.UTF_8));
        }
        return new Result(process.exitValue(), Files.readString(log.toPath(), StandardCharsets.UTF_8));
    }
}
