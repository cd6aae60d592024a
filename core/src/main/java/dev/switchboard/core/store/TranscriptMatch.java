package dev.switchboard.core.store;

import dev.switchboard.core.agent.Transcript;
import java.util.Objects;

/**
 * A transcript entry found by {@link TranscriptStore#search}, with its call. Immutable; its {@code
 * toString} shows the call id but not the text (the {@link Transcript}'s own {@code toString} hides
 * it).
 *
 * <pre>{@code
 * for (TranscriptMatch m : transcripts.search("refund", 20)) {
 *   review(m.callId(), m.transcript().text());
 * }
 * }</pre>
 *
 * @param callId the call the entry belongs to
 * @param transcript the matching entry
 */
public record TranscriptMatch(String callId, Transcript transcript) {
  /** Validates the components. */
  public TranscriptMatch {
    Checks.id(callId, "callId");
    Objects.requireNonNull(transcript, "transcript");
  }
}
