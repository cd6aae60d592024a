package dev.switchboard.agent.ultravox.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Not API. Deep, unmodifiable copies of JSON-like values (maps with string keys, lists, strings,
 * numbers, booleans, nulls), so that the model's "everything else" maps are immutable all the way
 * down; other objects are converted to that shape with Jackson first.
 */
public final class JsonValues {
  // {{name}} or {{a.b}}; sections ({{#x}}), comments ({{!x}}) and partials are not variables.
  private static final Pattern MUSTACHE =
      Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z_][A-Za-z0-9_]*)*)\\s*}}");

  private JsonValues() {}

  /**
   * Returns an unmodifiable deep copy of a map (null values kept, insertion order kept).
   *
   * @param map the map, or null for an empty one
   * @return the copy
   */
  public static Map<String, Object> freezeMap(@Nullable Map<String, ?> map) {
    if (map == null || map.isEmpty()) {
      return Map.of();
    }
    Map<String, Object> copy = new LinkedHashMap<>();
    for (Map.Entry<String, ?> e : map.entrySet()) {
      copy.put(String.valueOf(e.getKey()), freeze(e.getValue()));
    }
    return Collections.unmodifiableMap(copy);
  }

  /**
   * Returns an unmodifiable deep copy of a JSON-like value.
   *
   * @param value the value
   * @return the copy
   */
  public static @Nullable Object freeze(@Nullable Object value) {
    if (value == null
        || value instanceof String
        || value instanceof Number
        || value instanceof Boolean) {
      return value;
    }
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> copy = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        copy.put(String.valueOf(e.getKey()), freeze(e.getValue()));
      }
      return Collections.unmodifiableMap(copy);
    }
    if (value instanceof Collection<?> c) {
      List<Object> copy = new ArrayList<>(c.size());
      for (Object o : c) {
        copy.add(freeze(o));
      }
      return Collections.unmodifiableList(copy);
    }
    if (value instanceof JsonNode node) {
      return freeze(Json.MAPPER.convertValue(node, Object.class));
    }
    if (value instanceof Character || value instanceof Enum<?>) {
      return value.toString();
    }
    return freeze(Json.MAPPER.convertValue(value, Object.class));
  }

  /**
   * Adds the mustache variable names ({@code {{name}}}, {@code {{user.phone}}}) found in a text.
   *
   * @param text the text, or null
   * @param into where to add them
   */
  public static void templateVariables(@Nullable String text, Set<String> into) {
    if (text == null || text.indexOf("{{") < 0) {
      return;
    }
    Matcher m = MUSTACHE.matcher(text);
    while (m.find()) {
      into.add(m.group(1));
    }
  }

  /**
   * Adds the mustache variable names found in every string inside a JSON-like value.
   *
   * @param value the value
   * @param into where to add them
   */
  public static void templateVariablesDeep(@Nullable Object value, Set<String> into) {
    if (value instanceof String s) {
      templateVariables(s, into);
    } else if (value instanceof Map<?, ?> m) {
      for (Object v : m.values()) {
        templateVariablesDeep(v, into);
      }
    } else if (value instanceof Collection<?> c) {
      for (Object v : c) {
        templateVariablesDeep(v, into);
      }
    }
  }

  /**
   * Returns the first key of a one-key object, the "one of" shape Ultravox uses for {@code medium}
   * and {@code firstSpeakerSettings}, checking the shape.
   *
   * @param json the object
   * @param what what it is, for the error message
   * @return the key
   * @throws IllegalArgumentException if the object has not exactly one key, or its value is not an
   *     object
   */
  public static String singleKey(Map<String, ?> json, String what) {
    if (json.size() != 1) {
      throw new IllegalArgumentException(what + " must have exactly one key, got " + json.keySet());
    }
    Map.Entry<String, ?> e = json.entrySet().iterator().next();
    if (e.getValue() != null && !(e.getValue() instanceof Map)) {
      throw new IllegalArgumentException(
          what
              + "."
              + e.getKey()
              + " must be an object, got "
              + e.getValue().getClass().getSimpleName());
    }
    return e.getKey();
  }
}
