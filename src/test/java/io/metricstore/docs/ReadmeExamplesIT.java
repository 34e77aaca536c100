package io.metricstore.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.metricstore.PackagedJar;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The examples of {@code README.md} and {@code docs/*.md} run as shown, against the packaged service.
 *
 * <p>For each file with runnable blocks, the packaged jar starts on a free loopback port with the memory backend and
 * authentication off (the README says so: its examples are those of a local, open service), and
 * the file's blocks run top to bottom in <em>one</em> bash session ({@code set -Eeuo pipefail}), so a variable one
 * block captures ({@code cursor=$(curl … | jq -r .cursor)}) is there for the next. The convention:
 *
 * <ul>
 *   <li>A block fenced {@code ```shell} runs; {@code ```shell norun} does not (servers, builds, deployments,
 *       benchmarks, Redis set-ups). Other shell info strings ({@code bash}, {@code console}, …) are refused, so that
 *       no example is left untested by a spelling.</li>
 *   <li>Examples call {@code localhost:8080}; the test substitutes the port.</li>
 *   <li>The comment lines right under a command (no blank line between) show the answer to the last request made
 *       so far: {@code # 201 {"kind":"job","key":"x","acquired":true,"token":"…","fence":1,"expiresAt":"…"}}. The
 *       status comes first and may be left out when it is 200; then the body. A JSON body is compared by shape
 *       ({@link JsonShape}): every key shown must be there, with the value shown; {@code …} stands for whatever
 *       varies or is left out (the rest of a string, further keys or elements, any value); a timestamp shown
 *       matches any timestamp. A text body must contain the lines shown, in that order. {@code # 204} or
 *       {@code # 409 …} checks the status only.</li>
 *   <li>A request without an answer shown must succeed (2xx), and every command must exit 0.</li>
 *   <li>Comments above a command, at the end of its line or after a blank line are prose.</li>
 * </ul>
 *
 * <p>A failure names the file's line: the command that failed, or the answer that differs, with its block and the
 * answer received. What ran is kept under {@code target/readme-examples/}: the script (the file's own line
 * numbers), each request's record and the service's log.
 *
 * <p>bash, curl and jq must be installed. Without them the test is skipped, except under {@code CI=true}, where it
 * fails: CI ({@code .ci/run}) installs them.
 */
class ReadmeExamplesIT {

    private static final Path OUT = Path.of("target", "readme-examples");
    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(2);

    @TestFactory
    Stream<DynamicTest> everyShellExampleAnswersAsShown() throws IOException {
        String missing = missingTools("bash", "curl", "jq");
        if (missing != null) {
            // A dynamic test of its own, so that the skip shows in the report as one.
            return Stream.of(DynamicTest.dynamicTest("README examples", () -> Assumptions.abort(missing)));
        }
        List<Path> files = new ArrayList<>();
        files.add(Path.of("README.md"));
        try (Stream<Path> docs = Files.list(Path.of("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted(Comparator.comparing(Path::toString))
                    .forEach(files::add);
        }
        return files.stream().map(file -> DynamicTest.dynamicTest(file.toString(), () -> check(file)));
    }

    private static void check(Path file) throws Exception {
        MarkdownExamples examples =
                MarkdownExamples.parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
        if (!examples.problems.isEmpty()) {
            fail(String.join("\n", examples.problems));
        }
        if (examples.runnable().isEmpty()) {
            assertThat(file).as("README.md must have runnable ```shell blocks; none were found")
                    .isNotEqualTo(Path.of("README.md"));
            return;
        }
        String name = file.getFileName().toString();
        Path dir = OUT.resolve(name);
        deleteRecursively(dir);
        Path records = Files.createDirectories(dir.resolve("records"));
        Path work = Files.createDirectories(dir.resolve("work"));
        int port = PackagedJar.freePort();
        int management = PackagedJar.freePort();
        Process service = start(port, management, dir.resolve("service.log"));
        try {
            Path script = dir.resolve(name + ".sh");
            Files.writeString(script, examples.script(port, management), StandardCharsets.UTF_8);
            Path prelude = dir.resolve("prelude.sh");
            try (InputStream in = ReadmeExamplesIT.class.getResourceAsStream("examples-prelude.sh")) {
                Files.copy(in, prelude);
            }
            ProcessBuilder bash = new ProcessBuilder("bash", "--noprofile", "--norc", "-c",
                    "source \"$1\"; source \"$2\"; __finished", "bash",
                    prelude.toAbsolutePath().toString(), script.toAbsolutePath().toString())
                    .directory(work.toFile())
                    .redirectOutput(dir.resolve("stdout.txt").toFile())
                    .redirectError(dir.resolve("stderr.txt").toFile());
            bash.environment().put("EXAMPLES_RECORD", records.toAbsolutePath().toString());
            bash.environment().put("EXAMPLES_SCRIPT", script.toAbsolutePath().toString());
            Process run = bash.start();
            boolean ended = run.waitFor(SCRIPT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (!ended) {
                run.destroyForcibly().waitFor();
            }
            List<String> problems = judge(examples, records, ended ? run.exitValue() : -1,
                    Files.readString(dir.resolve("stderr.txt")), port);
            if (!problems.isEmpty()) {
                fail(file + ": " + problems.size() + (problems.size() == 1 ? " example does" : " examples do")
                        + " not run as shown (what ran is in " + dir + ": the script, records/, service.log)\n\n"
                        + String.join("\n\n", problems));
            }
        } finally {
            service.destroy();
            if (!service.waitFor(30, TimeUnit.SECONDS)) {
                service.destroyForcibly();
            }
        }
    }

    /** What differs between the run recorded in {@code records} and what the file shows, one entry per example. */
    private static List<String> judge(MarkdownExamples examples, Path records, int exitStatus, String stderr, int port)
            throws IOException {
        String file = examples.file;
        List<String> problems = new ArrayList<>();
        Path failure = records.resolve("failure");
        boolean finished = Files.exists(records.resolve("finished"));
        if (Files.exists(failure)) {
            String[] f = Files.readString(failure).strip().split("\t", 4);
            problems.add(file + ":" + f[0] + ": the command failed with exit status " + f[1] + " (block at line "
                    + f[2] + ")\n    " + unport(f[3], port) + tail(stderr, port));
        } else if (!finished) {
            problems.add(file + ": the examples stopped " + (exitStatus < 0 ? "after " + SCRIPT_TIMEOUT
                    : "with exit status " + exitStatus) + " in the block at line "
                    + contents(records.resolve("block")) + tail(stderr, port));
        }
        int requests = Integer.parseInt(contents(records.resolve("requests")));
        Set<Integer> answered = new HashSet<>();
        Set<Integer> reached = new HashSet<>();
        for (String record : Files.readAllLines(records.resolve("answers"))) {
            String[] parts = record.strip().split(" ");
            int line = Integer.parseInt(parts[0]);
            int request = Integer.parseInt(parts[1]);
            reached.add(line);
            ExpectedAnswer shown = examples.answers.get(line);
            if (request == 0 || !answered.add(request)) {
                problems.add(file + ":" + line + ": no request was made between this answer and the one before");
                continue;
            }
            Request got = Request.read(records, request);
            String difference = shown.mismatch(got.status, got.body);
            if (difference != null) {
                problems.add(file + ":" + line + ": the answer differs from the one shown (block at line "
                        + blockLine(examples, line) + ", request on line " + got.line + ")\n"
                        + "    " + difference + "\n"
                        + "    shown:    " + shown.shown() + "\n"
                        + "    answered: " + got.summary() + "\n"
                        + "    request:  curl " + unport(got.args, port));
            }
        }
        for (int request = 1; request <= requests; request++) {
            Request got = Request.read(records, request);
            if (!answered.contains(request) && (got.status < 200 || got.status > 299)) {
                problems.add(file + ":" + got.line + ": the request answered " + got.status + " but shows no answer"
                        + " (only a 2xx may go without one; block at line " + blockLine(examples, got.line)
                        + ")\n    answered: " + got.summary() + "\n    request:  curl " + unport(got.args, port));
            }
        }
        if (finished) {
            examples.answers.keySet().stream().filter(line -> !reached.contains(line)).forEach(line ->
                    problems.add(file + ":" + line + ": this answer was never reached"));
        }
        return problems;
    }

    /** One recorded request. */
    private record Request(int line, int status, String contentType, String body, String args) {

        static Request read(Path records, int n) throws IOException {
            List<String> meta = Files.readAllLines(records.resolve(n + ".meta"));
            return new Request(Integer.parseInt(contents(records.resolve(n + ".line"))), Integer.parseInt(meta.get(0)),
                    meta.size() > 1 ? meta.get(1) : "", Files.readString(records.resolve(n + ".body")),
                    contents(records.resolve(n + ".args")));
        }

        String summary() {
            String shortBody = body.length() > 2000 ? body.substring(0, 2000) + "…" : body;
            return (status + " " + contentType + " " + shortBody.strip().replace("\n", "\n              ")).strip();
        }
    }

    /** The packaged service as the README's examples use it: memory backend, authentication off, as in dev mode. */
    private static Process start(int port, int management, Path log) throws Exception {
        assertThat(PackagedJar.JAR).as("the packaged service (./mvnw package)").exists();
        Process service = new ProcessBuilder(PackagedJar.java(), "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + port, "-Dquarkus.management.host=127.0.0.1",
                "-Dquarkus.management.port=" + management, "-Dstore.backend=memory", "-Dstore.auth.enabled=false",
                "-jar", PackagedJar.JAR.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        String ready = "http://127.0.0.1:" + management + "/q/health/ready";
        PackagedJar.await(() -> !service.isAlive() || PackagedJar.answers(ready, 200), Duration.ofSeconds(60),
                "the packaged service ready on port " + port);
        if (!service.isAlive()) {
            fail("the packaged service stopped at start-up:\n" + Files.readString(log));
        }
        return service;
    }

    /** Why the examples cannot run here, or {@code null}; fails instead under {@code CI=true}. */
    private static String missingTools(String... tools) {
        List<String> missing = Stream.of(tools).filter(tool -> !onPath(tool)).toList();
        if (missing.isEmpty()) {
            return null;
        }
        String message = "the README examples need " + String.join(", ", tools) + " on the PATH; missing: "
                + String.join(", ", missing);
        if ("true".equals(System.getenv("CI"))) {
            fail(message + " (CI=true: .ci/run installs them)");
        }
        return message;
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
    }

    private static String blockLine(MarkdownExamples examples, int line) {
        MarkdownExamples.Block block = examples.blockAt(line);
        return block == null ? "?" : String.valueOf(block.line());
    }

    private static String contents(Path file) throws IOException {
        return Files.readString(file).strip();
    }

    /** Shows {@code localhost:8080} again where the test substituted its port, so text matches the file. */
    private static String unport(String text, int port) {
        return text.replace("localhost:" + port, "localhost:8080");
    }

    private static String tail(String stderr, int port) {
        List<String> lines = stderr.lines().toList();
        List<String> last = lines.subList(Math.max(0, lines.size() - 20), lines.size());
        return last.isEmpty() ? "" : "\n    stderr:\n      " + unport(String.join("\n      ", last), port);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
