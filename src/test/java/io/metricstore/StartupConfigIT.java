package io.metricstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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

    private record Result(int exitCode, String output) {
    }

    private static Result start(String... properties) throws IOException, InterruptedException {
        assertThat(PackagedJar.JAR).exists();
        List<String> command = new ArrayList<>();
        command.add(PackagedJar.java());
        command.add("-Dquarkus.http.port=0");
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
