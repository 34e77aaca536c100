package io.metricstore;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** The records one class logs while a test runs: {@code try (LogCapture log = LogCapture.of(X.class)) {…}}. */
public final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private LogCapture(Logger logger) {
        this.logger = logger;
        logger.addHandler(handler);
    }

    public static LogCapture of(Class<?> source) {
        return new LogCapture(Logger.getLogger(source.getName()));
    }

    /** What was logged so far, in order. */
    public List<LogRecord> records() {
        return records;
    }

    /** Whether a message containing {@code text} was logged. */
    public boolean contains(String text) {
        return records.stream().anyMatch(record -> record.getMessage().contains(text));
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
