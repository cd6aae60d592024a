package dev.switchboard.core.agent;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Text of what a speaker said: partial while they are still speaking (each partial replaces the
 * previous one for the same item), final once the utterance is complete. Immutable.
 *
 * @param speaker who spoke
 * @param text the words so far (partial) or all of them (final)
 * @param isFinal whether the utterance is complete
 * @param itemId the agent service's id for the utterance, or null
 * @param timestamp when the text was received
 */
public record Transcript(
    Speaker speaker, String text, boolean isFinal, @Nullable String itemId, Instant timestamp) {

  /** Validates the components. */
  public Transcript {
    Objects.requireNonNull(speaker, "speaker");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(timestamp, "timestamp");
  }

  /**
   * Returns the utterance's item id.
   *
   * @return the id, if the service gave one
   */
  public Optional<String> item() {
    return Optional.ofNullable(itemId);
  }

  /**
   * Shows the speaker and the text's length, not the text: transcripts are personal data.
   *
   * @return a summary
   */
  @Override
  public String toString() {
    return "Transcript["
        + speaker
        + (isFinal ? ", final, " : ", partial, ")
        + text.length()
        + " chars]";
  }
}
