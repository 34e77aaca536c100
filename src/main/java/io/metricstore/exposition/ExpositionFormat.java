package io.metricstore.exposition;

import java.util.Locale;

/** The two formats a Prometheus server asks for, chosen by the Accept header the way it sends it. */
public enum ExpositionFormat {
    TEXT("text/plain; version=0.0.4; charset=utf-8"),
    OPENMETRICS("application/openmetrics-text; version=1.0.0; charset=utf-8");

    private final String contentType;

    ExpositionFormat(String contentType) {
        this.contentType = contentType;
    }

    public String contentType() {
        return contentType;
    }

    /**
     * OpenMetrics when the client accepts {@code application/openmetrics-text} (version 1.0.0 or unversioned) with a
     * quality at least that of {@code text/plain}; the text format otherwise, as the default for any other client.
     */
    public static ExpositionFormat negotiate(String accept) {
        if (accept == null || accept.isBlank()) {
            return TEXT;
        }
        double openMetrics = 0;
        double text = 0;
        for (String range : accept.split(",")) {
            String[] parts = range.trim().split(";");
            String type = parts[0].trim().toLowerCase(Locale.ROOT);
            double quality = 1;
            String version = null;
            for (int i = 1; i < parts.length; i++) {
                String[] parameter = parts[i].trim().split("=", 2);
                if (parameter.length == 2 && parameter[0].trim().equalsIgnoreCase("q")) {
                    quality = parseQuality(parameter[1].trim());
                } else if (parameter.length == 2 && parameter[0].trim().equalsIgnoreCase("version")) {
                    version = parameter[1].trim();
                }
            }
            if (type.equals("application/openmetrics-text") && (version == null || version.equals("1.0.0"))) {
                openMetrics = Math.max(openMetrics, quality);
            } else if (type.equals("text/plain") || type.equals("text/*") || type.equals("*/*")) {
                text = Math.max(text, quality);
            }
        }
        return openMetrics > 0 && openMetrics >= text ? OPENMETRICS : TEXT;
    }

    private static double parseQuality(String text) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
