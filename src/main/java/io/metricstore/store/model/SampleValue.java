package io.metricstore.store.model;

/** The text form of a sample value: finite values as Java writes doubles, the others as Prometheus spells them. */
public final class SampleValue {

    public static final String NAN = "NaN";
    public static final String POSITIVE_INFINITY = "+Inf";
    public static final String NEGATIVE_INFINITY = "-Inf";

    private SampleValue() {
    }

    /** {@code NaN}, {@code +Inf}, {@code -Inf}, or the shortest decimal that reads back as the same double. */
    public static String text(double value) {
        if (Double.isNaN(value)) {
            return NAN;
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? POSITIVE_INFINITY : NEGATIVE_INFINITY;
        }
        return Double.toString(value);
    }

    /** The value of one of the three special strings, or null for any other text. */
    public static Double special(String text) {
        return switch (text) {
            case NAN -> Double.NaN;
            case POSITIVE_INFINITY -> Double.POSITIVE_INFINITY;
            case NEGATIVE_INFINITY -> Double.NEGATIVE_INFINITY;
            default -> null;
        };
    }

    /** Reads {@link #text} back. */
    public static double parse(String text) {
        Double special = special(text);
        return special != null ? special : Double.parseDouble(text);
    }
}
