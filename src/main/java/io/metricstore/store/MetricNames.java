package io.metricstore.store;

/** The Prometheus grammar of metric and label names, for every check that needs it. */
final class MetricNames {

    /** The grammar of a metric name, as messages name it. */
    static final String METRIC_NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    /** The grammar of a label name, as messages name it. */
    static final String LABEL_NAME = "[a-zA-Z_][a-zA-Z0-9_]*";

    private MetricNames() {
    }

    /** {@code [a-zA-Z_:][a-zA-Z0-9_:]*}. */
    static boolean isMetricName(String name) {
        return isName(name, true);
    }

    /** {@code [a-zA-Z_][a-zA-Z0-9_]*}. */
    static boolean isLabelName(String name) {
        return isName(name, false);
    }

    /** Checked by hand: a regex matcher per name was a top allocation of ingest. */
    private static boolean isName(String name, boolean colons) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colons && c == ':')
                    || (i > 0 && c >= '0' && c <= '9');
            if (!allowed) {
                return false;
            }
        }
        return true;
    }
}
