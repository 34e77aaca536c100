package io.metricstore.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.RestAssured;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Server-Sent Events client for the tests: opens {@code GET /api/v1/changes/stream} with {@link HttpClient} and
 * parses its lines into events on a thread of its own (fields {@code id:}, {@code event:}, {@code data:}; a blank
 * line ends an event; comments are skipped). Closing it closes the connection.
 */
final class SseClient implements AutoCloseable {

    /** One event as the client sees it; {@code id} is null when the event has none. */
    record Event(String id, String name, String data) {
    }

    /** The end of the stream: the server closed it, or the connection failed. */
    private static final Event END = new Event(null, "<end of stream>", null);

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final HttpResponse<Stream<String>> response;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Thread reader;
    private volatile boolean ended;

    private SseClient(HttpResponse<Stream<String>> response) {
        this.response = response;
        this.reader = new Thread(this::read, "sse-test-client");
        reader.setDaemon(true);
        reader.start();
    }

    /** Opens the stream with the query {@code query} (e.g. {@code since=…}) and the request headers given. */
    static SseClient open(String query, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port
                        + "/api/v1/changes/stream" + (query.isEmpty() ? "" : "?" + query)))
                .header("Accept", "text/event-stream");
        headers.forEach(request::header);
        try {
            return new SseClient(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofLines()));
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static SseClient since(String cursor) {
        return open("since=" + cursor, Map.of());
    }

    int status() {
        return response.statusCode();
    }

    Optional<String> header(String name) {
        return response.headers().firstValue(name);
    }

    private void read() {
        String id = null;
        String name = null;
        StringBuilder data = null;
        try (Stream<String> lines = response.body()) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.isEmpty()) {
                    if (name != null || data != null || id != null) {
                        events.add(new Event(id, name == null ? "message" : name,
                                data == null ? "" : data.toString()));
                    }
                    id = null;
                    name = null;
                    data = null;
                    continue;
                }
                if (line.startsWith(":")) {
                    continue;
                }
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1);
                if (value.startsWith(" ")) {
                    value = value.substring(1);
                }
                switch (field) {
                    case "id" -> id = value;
                    case "event" -> name = value;
                    case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                    default -> { }
                }
            }
        } catch (RuntimeException closedOrReset) {
            // The end of the stream, like a clean close.
        } finally {
            ended = true;
            events.add(END);
        }
    }

    /** The next event, failing when none comes within {@code within} or the stream ends first. */
    Event next(Duration within) {
        Event event = poll(within);
        assertThat(event).as("an event within %s", within).isNotNull();
        assertThat(event).as("an event before the end of the stream").isNotSameAs(END);
        return event;
    }

    /** The next {@code change} event, skipping bookmarks. */
    Event nextChange(Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            Event event = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (!event.name().equals("bookmark")) {
                assertThat(event.name()).isEqualTo("change");
                return event;
            }
        }
    }

    /** Asserts that the stream ends within {@code within}, with no event before the end but bookmarks. */
    void awaitEnd(Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            Event event = poll(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            assertThat(event).as("the end of the stream within %s", within).isNotNull();
            if (event == END) {
                return;
            }
            assertThat(event.name()).as("an event before the end").isEqualTo("bookmark");
        }
    }

    boolean ended() {
        return ended;
    }

    private Event poll(Duration within) {
        try {
            Event event = events.poll(within.toNanos(), TimeUnit.NANOSECONDS);
            if (event == END) {
                events.add(END);
            }
            return event;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        response.body().close();
        reader.interrupt();
    }
}
