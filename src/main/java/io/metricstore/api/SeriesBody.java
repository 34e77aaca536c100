package io.metricstore.api;

import io.metricstore.store.model.SampleValue;
import io.metricstore.store.model.Series;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A stored series on the wire. Special values travel as the strings {@code "NaN"}, {@code "+Inf"}, {@code "-Inf"}. */
@Schema(name = "Series")
public record SeriesBody(
        @Schema(example = "http_requests_total{code=\"200\",method=\"get\"}") String id,
        @Schema(example = "http_requests_total") String name,
        Map<String, String> labels,
        @Schema(description = "A number, or one of \"NaN\", \"+Inf\", \"-Inf\"", oneOf = {Double.class, String.class})
        Object value,
        @Schema(description = "RFC 3339, millisecond precision", example = "2026-11-25T18:00:00.123Z") String updatedAt,
        @Schema(enumeration = {"leader_scrape", "worker_backfill"}) String source) {

    static SeriesBody of(Series series) {
        return new SeriesBody(series.id(), series.point().name(), series.point().labels(),
                jsonValue(series.point().value()), series.point().updatedAt().toString(), series.source().wire());
    }

    static Object jsonValue(double value) {
        return Double.isFinite(value) ? value : SampleValue.text(value);
    }
}
