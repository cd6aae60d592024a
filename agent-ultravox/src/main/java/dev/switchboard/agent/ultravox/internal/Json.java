package dev.switchboard.agent.ultravox.internal;

import com.fasterxml.jackson.annotation.JacksonAnnotationsInside;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.switchboard.agent.ultravox.model.ProtoDuration;
import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import org.jspecify.annotations.Nullable;

/**
 * Not API. The module's JSON setup: one shared {@link ObjectMapper} (unknown properties ignored,
 * nulls not written) and the codecs for protobuf durations and timestamps, applied to the model's
 * fields by the {@link ProtoDurationFormat} and {@link TimestampFormat} annotations so that any
 * {@code ObjectMapper} maps the model the same way.
 */
public final class Json {
  /** The shared mapper; thread-safe once configured, never reconfigured. */
  public static final ObjectMapper MAPPER =
      new ObjectMapper()
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .setSerializationInclusion(JsonInclude.Include.NON_NULL);

  private Json() {}

  /** Maps a {@link Duration} field to and from a protobuf duration string ({@code "30s"}). */
  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
  @JacksonAnnotationsInside
  @JsonSerialize(using = DurationSerializer.class)
  @JsonDeserialize(using = DurationDeserializer.class)
  public @interface ProtoDurationFormat {}

  /** Maps an {@link Instant} field to and from an ISO-8601 date-time string. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
  @JacksonAnnotationsInside
  @JsonSerialize(using = InstantSerializer.class)
  @JsonDeserialize(using = InstantDeserializer.class)
  public @interface TimestampFormat {}

  /**
   * Parses an ISO-8601 date-time tolerantly: with {@code Z} or an offset ({@code +00:00}), with or
   * without fractional seconds, or without any zone (taken as UTC).
   *
   * @param text the text
   * @return the instant
   * @throws IllegalArgumentException if it is none of those
   */
  public static Instant parseInstant(String text) {
    String t = text.trim();
    try {
      return OffsetDateTime.parse(t).toInstant();
    } catch (DateTimeParseException e) {
      // maybe without an offset
    }
    try {
      return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      String shown = t.length() > 40 ? t.substring(0, 40) + "…" : t;
      throw new IllegalArgumentException("not an ISO-8601 date-time: \"" + shown + "\"", e);
    }
  }

  /** Writes a {@link Duration} as a protobuf duration string. */
  public static final class DurationSerializer extends StdSerializer<Duration> {
    private static final long serialVersionUID = 1L;

    /** Creates the serializer. */
    public DurationSerializer() {
      super(Duration.class);
    }

    @Override
    public void serialize(Duration value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeString(ProtoDuration.format(value));
    }
  }

  /** Reads a protobuf duration string (or, tolerantly, a number of seconds). */
  public static final class DurationDeserializer extends StdDeserializer<Duration> {
    private static final long serialVersionUID = 1L;

    /** Creates the deserializer. */
    public DurationDeserializer() {
      super(Duration.class);
    }

    @Override
    public @Nullable Duration deserialize(JsonParser p, DeserializationContext ctxt)
        throws IOException {
      JsonToken token = p.currentToken();
      if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
        BigDecimal seconds = p.getDecimalValue();
        return Duration.ofSeconds(
            seconds.longValue(), seconds.remainder(BigDecimal.ONE).movePointRight(9).longValue());
      }
      if (token != JsonToken.VALUE_STRING) {
        return (Duration) ctxt.handleUnexpectedToken(Duration.class, p);
      }
      try {
        return ProtoDuration.parse(p.getText());
      } catch (IllegalArgumentException e) {
        throw ctxt.weirdStringException(p.getText(), Duration.class, e.getMessage());
      }
    }
  }

  /** Writes an {@link Instant} as ISO-8601 text in UTC. */
  public static final class InstantSerializer extends StdSerializer<Instant> {
    private static final long serialVersionUID = 1L;

    /** Creates the serializer. */
    public InstantSerializer() {
      super(Instant.class);
    }

    @Override
    public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeString(value.toString());
    }
  }

  /** Reads an ISO-8601 date-time tolerantly (see {@link #parseInstant}). */
  public static final class InstantDeserializer extends StdDeserializer<Instant> {
    private static final long serialVersionUID = 1L;

    /** Creates the deserializer. */
    public InstantDeserializer() {
      super(Instant.class);
    }

    @Override
    public @Nullable Instant deserialize(JsonParser p, DeserializationContext ctxt)
        throws IOException {
      if (p.currentToken() != JsonToken.VALUE_STRING) {
        return (Instant) ctxt.handleUnexpectedToken(Instant.class, p);
      }
      String text = p.getText();
      if (text.isBlank()) {
        return null;
      }
      try {
        return parseInstant(text);
      } catch (IllegalArgumentException e) {
        throw ctxt.weirdStringException(text, Instant.class, e.getMessage());
      }
    }
  }
}
