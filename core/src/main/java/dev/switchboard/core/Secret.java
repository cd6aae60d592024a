package dev.switchboard.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * A secret value (an auth token, an API key) that does not print: {@code toString()} is {@code
 * "****"}, so a secret logged, put in an exception message or in a record's {@code toString} by
 * mistake does not leak. Immutable and thread-safe.
 *
 * <pre>{@code
 * Secret token = Secret.of(System.getenv("TWILIO_AUTH_TOKEN"));
 * client.authenticate(token.reveal());   // the one place the value is read
 * }</pre>
 */
public final class Secret {
  private static final String REDACTED = "****";

  private final String value;

  private Secret(String value) {
    this.value = value;
  }

  /**
   * Wraps a secret value.
   *
   * @param value the secret, not empty
   * @return the wrapper
   * @throws IllegalArgumentException if the value is empty
   */
  public static Secret of(String value) {
    Objects.requireNonNull(value, "value");
    if (value.isEmpty()) {
      throw new IllegalArgumentException("a secret must not be empty");
    }
    return new Secret(value);
  }

  /**
   * Returns the secret value. Call it only where the value is used, never to log or display it.
   *
   * @return the value
   */
  public String reveal() {
    return value;
  }

  /**
   * Compares with a candidate value in time independent of where they differ.
   *
   * @param candidate the value to compare
   * @return true if equal
   */
  public boolean matches(String candidate) {
    return MessageDigest.isEqual(
        value.getBytes(StandardCharsets.UTF_8), candidate.getBytes(StandardCharsets.UTF_8));
  }

  /** Equal when the values are equal (compared in constant time). */
  @Override
  public boolean equals(Object o) {
    return o instanceof Secret other && matches(other.value);
  }

  @Override
  public int hashCode() {
    return 0; // a hash of the value would leak information about it
  }

  /**
   * Returns {@code "****"}, never the value.
   *
   * @return the redaction marker
   */
  @Override
  public String toString() {
    return REDACTED;
  }
}
