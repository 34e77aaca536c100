package io.metricstore.exposition;

import io.metricstore.store.model.MetricType;
import io.metricstore.store.model.SampleValue;
import java.io.IOException;
import java.io.Writer;

/**
 * Writes families in the Prometheus text format 0.0.4 or OpenMetrics 1.0.0, line by line as it goes, so a large
 * exposition never exists as one string.
 *
 * <p>Differences between the formats: OpenMetrics names a counter family without {@code _total}, calls an untyped
 * family {@code unknown}, escapes {@code "} in HELP, gives timestamps in seconds and ends with {@code # EOF}. The
 * text format has no created timestamps, so {@code _created} samples of typed families are left out of it (as
 * Prometheus' client libraries do); its counter family is named after its {@code _total} samples, the only ones left.
 */
public final class ExpositionWriter {

    private final Writer out;
    private final ExpositionFormat format;
    private final boolean timestamps;
    private String family;

    public ExpositionWriter(Writer out, ExpositionFormat format, boolean timestamps) {
        this.out = out;
        this.format = format;
        this.timestamps = timestamps;
    }

    /**
     * Writes one sample of a placed series: its current {@code value} and {@code updatedAtMillis} (the placement's
     * own point gives only the identity). Samples of a family must come together, in exposition order.
     */
    public void write(Exposed exposed, double value, long updatedAtMillis) throws IOException {
        boolean om = format == ExpositionFormat.OPENMETRICS;
        if (!om && exposed.suffix().equals("_created") && exposed.described()) {
            return;
        }
        if (!exposed.family().equals(family)) {
            family = exposed.family();
            header(exposed, om);
        }
        // The series id is the sample's name and label set exactly as both formats spell them (same escaping).
        out.write(exposed.series().id());
        out.write(' ');
        out.write(value(value));
        if (timestamps) {
            out.write(' ');
            out.write(om ? seconds(updatedAtMillis) : Long.toString(updatedAtMillis));
        }
        out.write('\n');
    }

    /** Ends the exposition (OpenMetrics requires its end marker even when nothing was written). */
    public void finish() throws IOException {
        if (format == ExpositionFormat.OPENMETRICS) {
            out.write("# EOF\n");
        }
        out.flush();
    }

    private void header(Exposed exposed, boolean om) throws IOException {
        String name = exposed.family();
        if (!om && exposed.type() == MetricType.COUNTER) {
            name = name + "_total";
        }
        if (exposed.described()) {
            out.write("# HELP " + name + ' ' + escapeHelp(exposed.help(), om) + '\n');
        }
        String type = exposed.type() == MetricType.UNTYPED ? (om ? "unknown" : "untyped") : exposed.type().wire();
        out.write("# TYPE " + name + ' ' + type + '\n');
    }

    private static String escapeHelp(String help, boolean om) {
        StringBuilder escaped = new StringBuilder(help.length() + 8);
        for (int i = 0; i < help.length(); i++) {
            char c = help.charAt(i);
            switch (c) {
                case '\\' -> escaped.append("\\\\");
                case '\n' -> escaped.append("\\n");
                case '"' -> escaped.append(om ? "\\\"" : "\"");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }

    /** Integral values without a fraction (as Prometheus' clients write them), others as the shortest decimal. */
    static String value(double value) {
        if (Double.isFinite(value) && value == Math.rint(value) && Math.abs(value) < 1e15) {
            return (value == 0 && 1 / value < 0) ? "-0" : Long.toString((long) value);
        }
        return SampleValue.text(value);
    }

    private static String seconds(long millis) {
        long whole = Math.floorDiv(millis, 1000);
        long fraction = Math.floorMod(millis, 1000);
        return fraction == 0 ? Long.toString(whole) : whole + "." + String.format("%03d", fraction);
    }
}
