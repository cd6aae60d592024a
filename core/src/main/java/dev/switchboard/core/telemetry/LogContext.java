package dev.switchboard.core.telemetry;

import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * Puts an id into the SLF4J MDC for the duration of a block, restoring what was there before, so
 * every log line of a callback carries the call, conversation or session it belongs to. Use it with
 * try-with-resources on the thread that logs. Not thread-safe: confined to the thread that opened
 * it.
 *
 * <pre>{@code
 * try (LogContext ignored = LogContext.call(callId)) {
 *   log.info("stream started");   // MDC: switchboard.call_id=CA123...
 * }
 * }</pre>
 */
public final class LogContext implements AutoCloseable {
  /** MDC key of the call id. */
  public static final String CALL_ID = "switchboard.call_id";

  /** MDC key of the conversation id. */
  public static final String CONVERSATION_ID = "switchboard.conversation_id";

  /** MDC key of the agent session id. */
  public static final String SESSION_ID = "switchboard.session_id";

  private final String key;
  private final @Nullable String previous;
  private boolean closed;

  private LogContext(String key, String value) {
    this.key = key;
    this.previous = MDC.get(key);
    MDC.put(key, value);
  }

  /**
   * Puts a call id in the MDC.
   *
   * @param callId the call's id
   * @return the scope; close it to restore the MDC
   */
  public static LogContext call(String callId) {
    return put(CALL_ID, callId);
  }

  /**
   * Puts a conversation id in the MDC.
   *
   * @param conversationId the conversation's id
   * @return the scope; close it to restore the MDC
   */
  public static LogContext conversation(String conversationId) {
    return put(CONVERSATION_ID, conversationId);
  }

  /**
   * Puts an agent session id in the MDC.
   *
   * @param sessionId the session's id
   * @return the scope; close it to restore the MDC
   */
  public static LogContext session(String sessionId) {
    return put(SESSION_ID, sessionId);
  }

  /**
   * Puts any key in the MDC.
   *
   * @param key the MDC key
   * @param value its value
   * @return the scope; close it to restore the MDC
   */
  public static LogContext put(String key, String value) {
    return new LogContext(
        Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
  }

  /** Restores the key's previous value (or removes it). Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (previous == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, previous);
    }
  }
}
