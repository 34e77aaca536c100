package io.metricstore.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.metricstore.Eventually;
import io.metricstore.LogCapture;
import io.metricstore.store.StoreException;
import io.metricstore.store.model.LockKind;
import io.quarkus.mutiny.runtime.MutinyInfrastructure;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/**
 * A client that goes away before its answer is no fault of the service's: it is neither an error in the log nor a
 * 500 for anybody, while a real failure nobody waited for still is an error.
 */
@QuarkusTest
class ClientGoneTest {

    @TestHTTPResource("/")
    URL root;

    @Test
    void aClientThatClosesWhileItsBodyIsReadIsNoError() throws Exception {
        try (LogCapture mapper = LogCapture.of(ProblemMapper.class)) {
            for (int i = 0; i < 5; i++) {
                try (Socket socket = new Socket(root.getHost(), root.getPort())) {
                    OutputStream out = socket.getOutputStream();
                    out.write(("POST /api/v1/points HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                            + "Content-Length: 100000\r\n\r\n{\"role\":\"leader\",\"points\":[").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            }
            // The service saw each closed connection by the time it answers the next request.
            Eventually.until(() -> given().get("/api/v1/cursor").statusCode() == 200, Duration.ofSeconds(5), "answers");
            assertThat(mapper.records()).noneMatch(record -> record.getLevel().intValue() >= Level.SEVERE.intValue());
        }
    }

    @Test
    void aRefusalNobodyWaitsForIsNoErrorButAFailureIs() {
        try (LogCapture dropped = LogCapture.of(DroppedAnswers.class);
             LogCapture mutiny = LogCapture.of(MutinyInfrastructure.class)) {
            Infrastructure.handleDroppedException(new StoreException.LockNotHeld(LockKind.JOB, "gone"));
            assertThat(dropped.records()).noneMatch(record -> record.getLevel().intValue() >= Level.SEVERE.intValue());
            // Quarkus' own handler, which this one replaces, logs every dropped failure as an error.
            assertThat(mutiny.records()).isEmpty();
            Infrastructure.handleDroppedException(new IllegalStateException("a bug nobody waited for"));
            assertThat(dropped.records()).anyMatch(record -> record.getLevel().intValue() >= Level.SEVERE.intValue()
                    && record.getThrown() instanceof IllegalStateException);
        }
    }
}
