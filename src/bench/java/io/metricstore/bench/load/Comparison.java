package io.metricstore.bench.load;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The same target launched several times under each authentication mode, interleaved (off, static, jwt, off, …):
 * one column per mode, whose cells pool the runs of every launch — the median of all runs, and in brackets the
 * lowest and highest median of one launch — and the change against the first mode. A second table per target lists
 * the launches in the order they ran, with the machine's load average when each started, so drift shows.
 */
final class Comparison {

    /** Throughput: more is better; CPU: time per item, less is better; latency: per-request samples. */
    enum Kind { THROUGHPUT, CPU, LATENCY }

    private record Row(String target, String figure, Kind kind, String unit, int decimals) {
        String label() {
            return target + ": " + figure;
        }
    }

    /** One launch of a target under a mode: its figures' medians (latency: p50 / p99), in the order measured. */
    private record Launch(String target, Auth.Mode mode, int repeat, String loadAverage, Map<String, String> medians) {
    }

    private final List<Auth.Mode> modes;
    private final Map<String, Row> rows = new LinkedHashMap<>();
    /** Row label → mode → one Samples per launch. */
    private final Map<String, Map<Auth.Mode, List<Samples>>> samples = new LinkedHashMap<>();
    private final List<Launch> launches = new ArrayList<>();

    Comparison(List<Auth.Mode> modes) {
        this.modes = List.copyOf(modes);
    }

    /** Starts the figures of one launch; {@code loadAverage} is the machine's when it started. */
    void launch(String target, Auth.Mode mode, int repeat, String loadAverage) {
        launches.add(new Launch(target, mode, repeat, loadAverage, new LinkedHashMap<>()));
    }

    /**
     * A figure of the current launch: one sample per run (throughput, CPU per item) or per request (latency).
     */
    void add(String figure, Kind kind, String unit, int decimals, Samples values) {
        Launch current = launches.get(launches.size() - 1);
        Row row = new Row(current.target(), figure, kind, unit, decimals);
        rows.putIfAbsent(row.label(), row);
        samples.computeIfAbsent(row.label(), r -> new LinkedHashMap<>())
                .computeIfAbsent(current.mode(), m -> new ArrayList<>()).add(values);
        current.medians().put(figure, kind == Kind.LATENCY
                ? number(values.median(), decimals) + " / " + number(values.percentile(99), decimals)
                : number(values.median(), decimals));
    }

    String markdown() {
        StringBuilder md = new StringBuilder("| figure |");
        for (Auth.Mode mode : modes) {
            md.append(" auth ").append(mode.label()).append(" |");
        }
        for (Auth.Mode mode : modes.subList(1, modes.size())) {
            md.append(' ').append(mode.label()).append(" vs ").append(modes.get(0).label()).append(" |");
        }
        md.append("\n|---|").append("---|".repeat(2 * modes.size() - 1)).append('\n');
        for (Row row : rows.values()) {
            Map<Auth.Mode, List<Samples>> byMode = samples.get(row.label());
            md.append("| ").append(row.label()).append(row.kind() == Kind.LATENCY ? ", p50 / p99" : "").append(" |");
            for (Auth.Mode mode : modes) {
                md.append(' ').append(cell(row, byMode.get(mode))).append(" |");
            }
            for (Auth.Mode mode : modes.subList(1, modes.size())) {
                md.append(' ').append(change(row, byMode.get(modes.get(0)), byMode.get(mode))).append(" |");
            }
            md.append('\n');
            if (row.kind() == Kind.CPU) {
                // On a shared machine, the least disturbed run is the closest to what the work itself costs.
                md.append("| ").append(row.label()).append(", lowest run |");
                for (Auth.Mode mode : modes) {
                    List<Samples> launches = byMode.get(mode);
                    md.append(' ').append(launches == null ? "—" : number(pooled(launches).min(), row.decimals())
                            + " " + row.unit()).append(" |");
                }
                for (Auth.Mode mode : modes.subList(1, modes.size())) {
                    md.append(' ').append(lowestChange(row, byMode.get(modes.get(0)), byMode.get(mode))).append(" |");
                }
                md.append('\n');
            }
        }
        md.append("\nEach cell: the median of every run of every launch under that mode, and in brackets the lowest "
                + "and highest median of one launch (latency: percentiles over every request; \"lowest run\": the "
                + "least CPU per item of any run). Changes compare the pooled medians (the lowest runs).\n");
        for (String target : launches.stream().map(Launch::target).distinct().toList()) {
            List<Launch> ofTarget = launches.stream().filter(launch -> launch.target().equals(target)).toList();
            List<String> figures = ofTarget.stream().flatMap(launch -> launch.medians().keySet().stream())
                    .distinct().toList();
            md.append("\n").append(target).append(", launches in the order they ran (medians of their runs)")
                    .append(":\n\n| launch | load average at start |");
            for (String figure : figures) {
                md.append(' ').append(figure).append(" |");
            }
            md.append("\n|---|---|").append("---|".repeat(figures.size())).append('\n');
            for (Launch launch : ofTarget) {
                md.append("| ").append(launch.repeat()).append(", auth ").append(launch.mode().label()).append(" | ")
                        .append(launch.loadAverage()).append(" |");
                for (String figure : figures) {
                    md.append(' ').append(launch.medians().getOrDefault(figure, "—")).append(" |");
                }
                md.append('\n');
            }
        }
        return md.toString();
    }

    private static String cell(Row row, List<Samples> launches) {
        if (launches == null || launches.isEmpty()) {
            return "—";
        }
        Samples pooled = pooled(launches);
        if (row.kind() == Kind.LATENCY) {
            return number(pooled.median(), row.decimals()) + " / " + number(pooled.percentile(99), row.decimals())
                    + " " + row.unit();
        }
        Samples medians = new Samples();
        for (Samples launch : launches) {
            medians.add(launch.median());
        }
        return String.format(Locale.ROOT, "%s (%s–%s) %s", number(pooled.median(), row.decimals()),
                number(medians.min(), row.decimals()), number(medians.max(), row.decimals()), row.unit());
    }

    /** Throughput: the relative change of the pooled medians; CPU: the difference per item and the relative change. */
    private static String change(Row row, List<Samples> base, List<Samples> other) {
        if (base == null || other == null || row.kind() == Kind.LATENCY) {
            return "";
        }
        return difference(row, pooled(base).median(), pooled(other).median());
    }

    /** The change of the least CPU per item of any run. */
    private static String lowestChange(Row row, List<Samples> base, List<Samples> other) {
        if (base == null || other == null) {
            return "";
        }
        return difference(row, pooled(base).min(), pooled(other).min());
    }

    private static String difference(Row row, double from, double to) {
        String relative = String.format(Locale.ROOT, "%+.0f %%", (to - from) / from * 100).replace('-', '−');
        return row.kind() == Kind.THROUGHPUT ? relative
                : (to >= from ? "+" : "−") + number(Math.abs(to - from), row.decimals()) + " " + row.unit() + " ("
                        + relative + ")";
    }

    private static Samples pooled(List<Samples> launches) {
        Samples all = new Samples();
        for (Samples launch : launches) {
            all.addAll(launch);
        }
        return all;
    }

    private static String number(double value, int decimals) {
        return decimals == 0 ? String.format(Locale.ROOT, "%,.0f", value)
                : String.format(Locale.ROOT, "%." + decimals + "f", value);
    }
}
