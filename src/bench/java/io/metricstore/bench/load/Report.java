package io.metricstore.bench.load;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of one driver run as a Markdown table, with the targets and the ratios to the Pushgateway; figures of
 * two variants measured in alternating runs (issue 15: with and without a lease) in a second table, side by side.
 */
final class Report {

    static final String STARTUP = "start-up to ready";
    static final String IDLE_RSS = "RSS idle (2 s after ready)";
    static final String DELTA = "delta of 10 changes among 100k series, p50 / p99";
    static final String LOCKS = "lock acquire+release over HTTP";
    static final String LOCK_LATENCY = "lock pair latency p50 / p99";
    static final String LOCK_CPU = "server CPU per lock pair";
    static final String REDIS_LOCK_CPU = "Redis CPU per lock pair (primary, replica)";
    static final String REFUSED = "writes answered 503 (replica too late) and sent again, all workloads";
    static final String RSS = "RSS with 100k series, after the workloads";
    static final String RSS_AFTER_GC = "RSS with 100k series, after a full GC";

    /** The column of target redis-ack1, shown only when it was measured. */
    static final String REDIS_ACK1 = "Redis ack 1";

    private static final List<String> COLUMNS = List.of("memory", "Redis", REDIS_ACK1, "Pushgateway");
    private static final Map<String, String> TARGETS = new LinkedHashMap<>();

    static {
        TARGETS.put(ingest("10k"), "≥ 500,000 points/s (memory), ≥ 100,000 (Redis)");
        TARGETS.put(ingest("100k"), "≥ 500,000 points/s, flat from 10k (memory); ≥ 100,000 (Redis)");
        TARGETS.put(ingestCpu("10k"), "");
        TARGETS.put(ingestCpu("100k"), "");
        TARGETS.put(redisIngestCpu("10k"), "");
        TARGETS.put(redisIngestCpu("100k"), "");
        TARGETS.put(scrape("10k"), "");
        TARGETS.put(scrape("100k"), "≤ 100 ms (memory), ≤ 400 ms (Redis)");
        TARGETS.put(DELTA, "≤ 2 ms (memory)");
        TARGETS.put(LOCKS, "≥ 20,000 pairs/s (memory), ≥ 10,000 (Redis)");
        TARGETS.put(LOCK_LATENCY, "p99 < 10 ms");
        TARGETS.put(LOCK_CPU, "");
        TARGETS.put(REDIS_LOCK_CPU, "");
        TARGETS.put(REFUSED, "");
        TARGETS.put(RSS, "≤ 150 MiB (memory)");
        TARGETS.put(RSS_AFTER_GC, "");
        TARGETS.put(IDLE_RSS, "");
        TARGETS.put(STARTUP, "");
    }

    private final Map<String, Map<String, String>> cells = new LinkedHashMap<>();
    /** Figure → column → the first variant, the second, and the change from the first to the second. */
    private final Map<String, Map<String, List<String>>> sides = new LinkedHashMap<>();
    /** Medians of rows that compare with the Pushgateway; positive when higher is better, negated otherwise. */
    private final Map<String, Map<String, Double>> medians = new LinkedHashMap<>();

    static String ingest(String size) {
        return "ingest, 1,000-point batches, " + size + " stored";
    }

    static String ingestCpu(String size) {
        return "server CPU per point ingested, " + size + " stored";
    }

    static String redisIngestCpu(String size) {
        return "Redis CPU per point ingested, " + size + " stored (primary, replica)";
    }

    static String scrape(String size) {
        return "scrape `/metrics`, " + size + " series, p50 / p90";
    }

    void put(String row, String column, String text) {
        cells.computeIfAbsent(row, r -> new LinkedHashMap<>()).put(column, text);
    }

    /** A figure of two variants in alternating runs: each variant's cell and the change between them. */
    void side(String figure, String column, String first, String second, String change) {
        sides.computeIfAbsent(figure, f -> new LinkedHashMap<>()).put(column, List.of(first, second, change));
    }

    void throughput(String row, String column, Samples samples) {
        medians.computeIfAbsent(row, r -> new LinkedHashMap<>()).put(column, samples.median());
    }

    void latency(String row, String column, Samples samples) {
        medians.computeIfAbsent(row, r -> new LinkedHashMap<>()).put(column, -samples.median());
    }

    /** "median (min–max) unit". */
    static String range(Samples samples, String unit, int decimals) {
        return String.format(Locale.ROOT, "%s (%s–%s) %s", number(samples.median(), decimals),
                number(samples.min(), decimals), number(samples.max(), decimals), unit);
    }

    /** "p50 / p{upper} unit", the percentiles the row names. */
    static String percentiles(Samples samples, int upper, String unit, int decimals) {
        return String.format(Locale.ROOT, "%s / %s %s", number(samples.median(), decimals),
                number(samples.percentile(upper), decimals), unit);
    }

    /** Relative changes in %: "median (min to max) %", signed. */
    static String change(Samples percents) {
        return String.format(Locale.ROOT, "%s (%s to %s) %%", signed(percents.median()), signed(percents.min()),
                signed(percents.max()));
    }

    private static String signed(double percent) {
        return String.format(Locale.ROOT, "%+.1f", percent).replace('-', '−');
    }

    private static String number(double value, int decimals) {
        return decimals == 0 ? String.format(Locale.ROOT, "%,.0f", value)
                : String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    String markdown(Map<String, String> options, List<String> jvmOptions) {
        List<String> columns = COLUMNS.stream().filter(column -> !column.equals(REDIS_ACK1)
                || cells.values().stream().anyMatch(row -> row.containsKey(column))).toList();
        StringBuilder md = new StringBuilder()
                .append("Run of ").append(Instant.now()).append(", ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ")
                .append(System.getProperty("java.version")).append("; options ").append(options)
                .append("; service JVM options `").append(String.join(" ", jvmOptions)).append("`\n");
        if (cells.isEmpty()) {
            // Only compared figures (see Comparison), which come after, or figures side by side.
            return md.append(sideBySide()).toString();
        }
        md.append("\n| workload | target | ").append(String.join(" | ", columns))
                .append(" | memory vs Pushgateway | Redis vs Pushgateway |\n|---|---|")
                .append("---|".repeat(columns.size() + 2)).append('\n');
        for (Map.Entry<String, String> row : TARGETS.entrySet()) {
            Map<String, String> values = cells.getOrDefault(row.getKey(), Map.of());
            if (values.isEmpty()) {
                continue;
            }
            md.append("| ").append(row.getKey()).append(" | ").append(row.getValue());
            for (String column : columns) {
                md.append(" | ").append(values.getOrDefault(column, "—"));
            }
            md.append(" | ").append(ratio(row.getKey(), "memory")).append(" | ").append(ratio(row.getKey(), "Redis"))
                    .append(" |\n");
        }
        md.append("\nRatios are medians divided so that above 1× means the Metric Store is better ")
                .append("(more points/s, less time).");
        if (Boolean.parseBoolean(options.getOrDefault("redis-replica", "false"))) {
            md.append(" Redis: with a replica attached, store.redis.min-replicas-ack=0.");
        }
        if (columns.contains(REDIS_ACK1)) {
            md.append(" " + REDIS_ACK1 + ": with a replica attached, store.redis.min-replicas-ack=1.");
        }
        return md.append('\n').append(sideBySide()).toString();
    }

    /** The second table: per column, both variants and the change of the second against the first. */
    private String sideBySide() {
        if (sides.isEmpty()) {
            return "";
        }
        List<String> columns = COLUMNS.stream()
                .filter(column -> sides.values().stream().anyMatch(figure -> figure.containsKey(column))).toList();
        StringBuilder md = new StringBuilder("\n| figure: first variant · second variant |");
        for (String column : columns) {
            md.append(' ').append(column).append(", first | ").append(column).append(", second | ").append(column)
                    .append(", second vs first |");
        }
        md.append("\n|---|").append("---|".repeat(3 * columns.size())).append('\n');
        for (Map.Entry<String, Map<String, List<String>>> figure : sides.entrySet()) {
            md.append("| ").append(figure.getKey()).append(" |");
            for (String column : columns) {
                for (String cell : figure.getValue().getOrDefault(column, List.of("—", "—", "—"))) {
                    md.append(' ').append(cell).append(" |");
                }
            }
            md.append('\n');
        }
        return md.append("\nBoth variants ran alternately on the same service (A B, B A, A B, …) after a warm-up of ")
                .append("each; a cell is the median of the runs (minimum–maximum; latencies: p50 / p99 over every ")
                .append("request); the change is the median of the changes within each pair of runs that ran back ")
                .append("to back (lowest to highest; latencies: of the pooled p50). Redis CPU is Redis' own count ")
                .append("(INFO cpu).\n").toString();
    }

    private String ratio(String row, String column) {
        Map<String, Double> values = medians.getOrDefault(row, Map.of());
        Double ours = values.get(column);
        Double theirs = values.get("Pushgateway");
        if (ours == null || theirs == null) {
            return "—";
        }
        double ratio = ours > 0 ? ours / theirs : theirs / ours;
        return String.format(Locale.ROOT, "%.1f×", ratio);
    }
}
