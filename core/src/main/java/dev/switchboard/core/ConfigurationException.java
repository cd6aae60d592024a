package dev.switchboard.core;

import org.jspecify.annotations.Nullable;

/**
 * A missing, malformed or inconsistent setting, an unknown provider name, or a provider that cannot
 * be loaded. The message names the key or provider. Never retryable: fix the configuration.
 */
public class ConfigurationException extends SwitchboardException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what is wrong, naming the key
   */
  public ConfigurationException(String message) {
    super(message, null, false);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what is wrong, naming the key
   * @param cause the underlying failure
   */
  public ConfigurationException(String message, @Nullable Throwable cause) {
    super(message, cause, false);
  }
}
