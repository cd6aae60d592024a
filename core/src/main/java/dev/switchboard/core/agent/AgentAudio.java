package dev.switchboard.core.agent;

import dev.switchboard.core.AudioChunk;
import java.util.Objects;

/**
 * A piece of the agent's spoken answer, with the ids that tie it to the response and the item
 * (utterance) it belongs to; the voice bridge uses them to know how much of an item the caller
 * heard. Immutable.
 *
 * @param audio the audio, in the session's output format
 * @param responseId the agent service's id for the response
 * @param itemId the agent service's id for the item within the response
 */
public record AgentAudio(AudioChunk audio, String responseId, String itemId) {
  /** Validates the components. */
  public AgentAudio {
    Objects.requireNonNull(audio, "audio");
    Objects.requireNonNull(responseId, "responseId");
    Objects.requireNonNull(itemId, "itemId");
  }
}
