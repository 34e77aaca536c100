package io.metricstore.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.metricstore.store.RawPoint;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;
import java.io.IOException;

/** Strict JSON: duplicate keys, unknown fields and trailing garbage are refused rather than guessed at. */
@Singleton
public class JsonSettings implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.registerModule(new SimpleModule("metric-store")
                .addDeserializer(RawPoint.RawValue.class, new RawValueDeserializer()));
    }

    /** Keeps a number's own text, so that validation, not the parser, decides what is out of range. */
    static final class RawValueDeserializer extends JsonDeserializer<RawPoint.RawValue> {
        @Override
        public RawPoint.RawValue deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            JsonToken token = parser.currentToken();
            if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
                return new RawPoint.RawValue(parser.getText(), false);
            }
            if (token == JsonToken.VALUE_STRING) {
                return new RawPoint.RawValue(parser.getText(), true);
            }
            return (RawPoint.RawValue) context.handleUnexpectedToken(RawPoint.RawValue.class, parser);
        }
    }
}
