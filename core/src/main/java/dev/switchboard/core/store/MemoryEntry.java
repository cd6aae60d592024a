package dev.switchboard.core.store;

import dev.switchboard.core.agent.Speaker;
import dev.switchboard.core.messaging.Channel;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One item of a customer's {@link ConversationMemory}: something the customer or the agent said, or
 * a {@link Role#SYSTEM} note such as a {@link Summarizer}'s summary of older entries. Immutable;
 * {@code toString} shows the role, channel and text length, never the text (personal data).
 *
 * <pre>{@code
 * memory.append(customerId, MemoryEntry.of(MemoryEntry.Role.USER, message.body(), message.timestamp()));
 * }</pre>
 *
 * @param role who it comes from
 * @param text what was said or noted
 * @param timestamp when
 * @param channel the messaging channel it came through, or null for voice or when unknown
 */
public record MemoryEntry(Role role, String text, Instant timestamp, @Nullable Channel channel) {

  /**
   * Who a memory entry comes from. Its own type rather than {@link Speaker}, which has no notion of
   * notes written by the application or a summarizer; {@link #of(Speaker)} converts.
   */
  public enum Role {
    /** The customer. */
    USER,
    /** The AI agent (or a human agent speaking for it). */
    AGENT,
    /** The application: instructions, notes, summaries of older entries. */
    SYSTEM;

    /**
     * Returns the role of a transcript's speaker.
     *
     * @param speaker the speaker
     * @return {@link #USER} or {@link #AGENT}
     */
    public static Role of(Speaker speaker) {
      Objects.requireNonNull(speaker, "speaker");
      return speaker == Speaker.USER ? USER : AGENT;
    }
  }

  /** Validates the components. */
  public MemoryEntry {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(timestamp, "timestamp");
  }

  /**
   * Creates an entry with no channel.
   *
   * @param role who it comes from
   * @param text what was said or noted
   * @param timestamp when
   * @return the entry
   */
  public static MemoryEntry of(Role role, String text, Instant timestamp) {
    return new MemoryEntry(role, text, timestamp, null);
  }

  /**
   * Shows the role, channel and the text's length, not the text.
   *
   * @return a summary
   */
  @Override
  public String toString() {
    return "MemoryEntry["
        + role
        + (channel != null ? ", " + channel : "")
        + ", "
        + timestamp
        + ", "
        + text.length()
        + " chars]";
  }
}
