package dev.switchboard.core.spi;

import dev.switchboard.core.ConfigurationException;
import dev.switchboard.core.Secret;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A provider's settings: string keys and values with typed getters whose errors name the key.
 * Secret values (tokens, keys, passwords) are redacted in {@code toString} and in error messages.
 * Immutable and thread-safe.
 *
 * <pre>{@code
 * ProviderConfig config = ProviderConfig.fromEnvironment("SWITCHBOARD_TWILIO_");
 * // SWITCHBOARD_TWILIO_ACCOUNT_SID -> "account-sid", SWITCHBOARD_TWILIO_AUTH_TOKEN -> "auth-token"
 * String sid = config.string("account-sid");
 * Secret token = config.secret("auth-token");
 * Duration timeout = config.duration("timeout", Duration.ofSeconds(10));
 * }</pre>
 *
 * <p>Keys are lower-case words joined by {@code -} or {@code .}, e.g. {@code account-sid} or {@code
 * media.path}. A key is secret if it was added with {@link Builder#secret} or if its name contains
 * {@code token}, {@code secret}, {@code password} or {@code key}.
 */
public final class ProviderConfig {
  private static final Pattern KEY = Pattern.compile("[a-z0-9]+([.-][a-z0-9]+)*");
  private static final Pattern SECRET_NAME = Pattern.compile(".*(token|secret|password|key).*");
  private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
  private static final ProviderConfig EMPTY = new ProviderConfig(Map.of(), Set.of());

  private final Map<String, String> values;
  private final Set<String> secretKeys;

  private ProviderConfig(Map<String, String> values, Set<String> secretKeys) {
    this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    this.secretKeys = Set.copyOf(secretKeys);
  }

  /**
   * Returns an empty configuration.
   *
   * @return the empty configuration
   */
  public static ProviderConfig empty() {
    return EMPTY;
  }

  /**
   * Starts a configuration.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a configuration of the given entries.
   *
   * @param values keys and values
   * @return the configuration
   * @throws ConfigurationException naming a malformed key
   */
  public static ProviderConfig of(Map<String, String> values) {
    return builder().putAll(values).build();
  }

  /**
   * Reads the process environment: every variable starting with {@code prefix} becomes a key,
   * lower-cased with {@code _} turned into {@code -} ({@code SWITCHBOARD_TWILIO_AUTH_TOKEN} with
   * prefix {@code SWITCHBOARD_TWILIO_} becomes {@code auth-token}).
   *
   * @param prefix the variables' common prefix
   * @return the configuration
   */
  public static ProviderConfig fromEnvironment(String prefix) {
    return fromEnvironment(prefix, System.getenv());
  }

  /**
   * Reads an environment given as a map, as {@link #fromEnvironment(String)} does.
   *
   * @param prefix the variables' common prefix
   * @param environment variable names and values
   * @return the configuration
   */
  public static ProviderConfig fromEnvironment(String prefix, Map<String, String> environment) {
    Objects.requireNonNull(prefix, "prefix");
    Builder builder = builder();
    environment.forEach(
        (name, value) -> {
          if (name.startsWith(prefix) && name.length() > prefix.length()) {
            String key = name.substring(prefix.length()).toLowerCase(Locale.ROOT).replace('_', '-');
            builder.put(key, value);
          }
        });
    return builder.build();
  }

  /**
   * Reads properties: every property starting with {@code prefix} becomes a key without the prefix
   * ({@code switchboard.twilio.auth-token} with prefix {@code switchboard.twilio.} becomes {@code
   * auth-token}).
   *
   * @param properties the properties
   * @param prefix the properties' common prefix, possibly empty
   * @return the configuration
   */
  public static ProviderConfig fromProperties(Properties properties, String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    Builder builder = builder();
    for (String name : properties.stringPropertyNames()) {
      if (name.startsWith(prefix) && name.length() > prefix.length()) {
        builder.put(name.substring(prefix.length()), properties.getProperty(name));
      }
    }
    return builder.build();
  }

  /**
   * Returns the keys.
   *
   * @return the keys, sorted
   */
  public Set<String> keys() {
    return values.keySet();
  }

  /**
   * Tells whether a key is set.
   *
   * @param key the key
   * @return true if set
   */
  public boolean has(String key) {
    return values.containsKey(key);
  }

  /**
   * Tells whether a key holds a secret.
   *
   * @param key the key
   * @return true if its value is redacted
   */
  public boolean isSecret(String key) {
    return secretKeys.contains(key) || SECRET_NAME.matcher(key).matches();
  }

  /**
   * Returns a required value.
   *
   * @param key the key
   * @return the value, not blank
   * @throws ConfigurationException if the key is missing or blank
   */
  public String string(String key) {
    return optional(key)
        .orElseThrow(
            () -> new ConfigurationException("missing required configuration key '" + key + "'"));
  }

  /**
   * Returns a value or a default.
   *
   * @param key the key
   * @param defaultValue used when the key is missing or blank
   * @return the value
   */
  public String string(String key, String defaultValue) {
    return optional(key).orElse(defaultValue);
  }

  /**
   * Returns a value if set and not blank.
   *
   * @param key the key
   * @return the value
   */
  public Optional<String> optional(String key) {
    Objects.requireNonNull(key, "key");
    String value = values.get(key);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }

  /**
   * Returns a required secret.
   *
   * @param key the key
   * @return the secret
   * @throws ConfigurationException if the key is missing or blank
   */
  public Secret secret(String key) {
    return Secret.of(string(key));
  }

  /**
   * Returns a secret if set.
   *
   * @param key the key
   * @return the secret
   */
  public Optional<Secret> optionalSecret(String key) {
    return optional(key).map(Secret::of);
  }

  /**
   * Returns a required integer.
   *
   * @param key the key
   * @return the value
   * @throws ConfigurationException if missing or not an integer
   */
  public int integer(String key) {
    return parseInt(key, string(key));
  }

  /**
   * Returns an integer or a default.
   *
   * @param key the key
   * @param defaultValue used when the key is missing
   * @return the value
   * @throws ConfigurationException if set but not an integer
   */
  public int integer(String key, int defaultValue) {
    return optional(key).map(v -> parseInt(key, v)).orElse(defaultValue);
  }

  /**
   * Returns a boolean or a default: {@code true} or {@code false}, any case.
   *
   * @param key the key
   * @param defaultValue used when the key is missing
   * @return the value
   * @throws ConfigurationException if set to anything else
   */
  public boolean bool(String key, boolean defaultValue) {
    Optional<String> value = optional(key);
    if (value.isEmpty()) {
      return defaultValue;
    }
    String v = value.get().toLowerCase(Locale.ROOT);
    if (v.equals("true") || v.equals("false")) {
      return v.equals("true");
    }
    throw invalid(key, value.get(), "true or false");
  }

  /**
   * Returns a required, non-negative duration: {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h} or
   * ISO-8601 ({@code PT5S}).
   *
   * @param key the key
   * @return the value
   * @throws ConfigurationException if missing or malformed
   */
  public Duration duration(String key) {
    return parseDuration(key, string(key));
  }

  /**
   * Returns a duration or a default.
   *
   * @param key the key
   * @param defaultValue used when the key is missing
   * @return the value
   * @throws ConfigurationException if set but malformed
   */
  public Duration duration(String key, Duration defaultValue) {
    return optional(key).map(v -> parseDuration(key, v)).orElse(defaultValue);
  }

  /**
   * Returns a required absolute URI.
   *
   * @param key the key
   * @return the value
   * @throws ConfigurationException if missing or not an absolute URI
   */
  public URI uri(String key) {
    String value = string(key);
    try {
      URI uri = new URI(value);
      if (!uri.isAbsolute()) {
        throw invalid(key, value, "an absolute URI like https://example.com/path");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw invalid(key, value, "an absolute URI like https://example.com/path");
    }
  }

  /**
   * Returns this configuration with the other's entries added, replacing equal keys.
   *
   * @param overrides the entries that win
   * @return a new configuration
   */
  public ProviderConfig merge(ProviderConfig overrides) {
    Map<String, String> merged = new LinkedHashMap<>(values);
    merged.putAll(overrides.values);
    Set<String> secrets = new LinkedHashSet<>(secretKeys);
    secrets.addAll(overrides.secretKeys);
    return new ProviderConfig(merged, secrets);
  }

  private int parseInt(String key, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw invalid(key, value, "an integer");
    }
  }

  private Duration parseDuration(String key, String value) {
    String v = value.trim();
    Matcher m = SIMPLE_DURATION.matcher(v.toLowerCase(Locale.ROOT));
    if (m.matches()) {
      try {
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          default -> Duration.ofHours(n);
        };
      } catch (NumberFormatException | ArithmeticException e) {
        // Too large for a Duration. Not rethrown as is: NumberFormatException shows the value.
        throw invalid(key, value, "a duration like 500ms, 5s, 2m or PT5S");
      }
    }
    Duration parsed;
    try {
      parsed = Duration.parse(v);
    } catch (DateTimeParseException e) {
      throw invalid(key, value, "a duration like 500ms, 5s, 2m or PT5S");
    }
    if (parsed.isNegative()) {
      throw invalid(key, value, "a duration that is not negative");
    }
    return parsed;
  }

  private ConfigurationException invalid(String key, String value, String expected) {
    String shown = isSecret(key) ? "a value (redacted)" : "'" + value + "'";
    return new ConfigurationException(
        "configuration key '" + key + "' must be " + expected + ", got " + shown);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ProviderConfig other
        && values.equals(other.values)
        && secretKeys.equals(other.secretKeys);
  }

  @Override
  public int hashCode() {
    return values.keySet().hashCode();
  }

  /**
   * Returns the entries with every secret value replaced by {@code ****}.
   *
   * @return e.g. {@code ProviderConfig{account-sid=AC123, auth-token=****}}
   */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("ProviderConfig{");
    String sep = "";
    for (Map.Entry<String, String> e : values.entrySet()) {
      s.append(sep).append(e.getKey()).append('=');
      s.append(isSecret(e.getKey()) ? "****" : e.getValue());
      sep = ", ";
    }
    return s.append('}').toString();
  }

  /** Builds a {@link ProviderConfig}. Not thread-safe. */
  public static final class Builder {
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Set<String> secretKeys = new LinkedHashSet<>();

    private Builder() {}

    /**
     * Sets a value.
     *
     * @param key lower-case words joined by {@code -} or {@code .}
     * @param value the value
     * @return this builder
     * @throws ConfigurationException naming a malformed key
     */
    public Builder put(String key, String value) {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value for key '" + key + "'");
      if (!KEY.matcher(key).matches()) {
        throw new ConfigurationException(
            "malformed configuration key '"
                + key
                + "': use lower-case words joined by '-' or '.', e.g. 'auth-token'");
      }
      values.put(key, value);
      return this;
    }

    /**
     * Sets a value and marks it secret, whatever its key's name.
     *
     * @param key the key
     * @param value the secret value
     * @return this builder
     */
    public Builder secret(String key, String value) {
      put(key, value);
      secretKeys.add(key);
      return this;
    }

    /**
     * Sets every entry of a map.
     *
     * @param entries keys and values
     * @return this builder
     */
    public Builder putAll(Map<String, String> entries) {
      entries.forEach(this::put);
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @return the configuration
     */
    public ProviderConfig build() {
      return new ProviderConfig(values, secretKeys);
    }
  }
}
