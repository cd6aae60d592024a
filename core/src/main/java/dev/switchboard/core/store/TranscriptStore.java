package dev.switchboard.core.store;

import dev.switchboard.core.agent.Transcript;
import java.util.List;

/**
 * Keeps the final transcript of each call and searches it. An SPI: {@link InMemoryTranscriptStore}
 * is the default, persistent implementations come in their own modules. Implementations are
 * thread-safe; methods may block on I/O, so call them from worker threads (an {@code EventBus}
 * subscriber is one), not from media threads.
 *
 * <pre>{@code
 * TranscriptStore transcripts = InMemoryTranscriptStore.create();
 * bus.subscribe("transcripts", AgentEvent.TranscriptReceived.class, e -> {
 *   if (e.callId() != null) {
 *     transcripts.append(e.callId(), e.transcript());   // partials are ignored
 *   }
 * });
 * List<TranscriptMatch> hits = transcripts.search("cancel my order", 10);
 * }</pre>
 *
 * <p>Only {@linkplain Transcript#isFinal() final} entries are stored: partial ones are superseded
 * by the final text of the same utterance, so {@link #append} ignores them and callers may pass
 * every transcript they receive. Entries are kept as given, without deduplication.
 *
 * <p>Ids are checked at every method: a null id throws {@link NullPointerException} and a blank one
 * {@link IllegalArgumentException}, each naming the argument.
 */
public interface TranscriptStore {
  /**
   * Appends a final entry to a call's transcript; ignores a partial one.
   *
   * @param callId the call; not blank
   * @param entry the entry
   */
  void append(String callId, Transcript entry);

  /**
   * Returns a call's transcript.
   *
   * @param callId the call; not blank
   * @return its final entries in the order they were appended, unmodifiable; empty for an unknown
   *     call
   */
  List<Transcript> transcript(String callId);

  /**
   * Finds entries whose text contains the given text, ignoring case. Implementations backed by a
   * full-text index may match whole words instead of substrings, and may match word forms (they say
   * so); every implementation finds an entry that contains the text as whole words. Results come
   * newest {@link Transcript#timestamp() timestamp} first.
   *
   * @param text what to look for; leading and trailing white space is ignored; not blank
   * @param limit the most matches to return; at least 1
   * @return up to {@code limit} matches, unmodifiable
   * @throws IllegalArgumentException if the text is blank or the limit less than 1
   */
  List<TranscriptMatch> search(String text, int limit);

  /**
   * Deletes a call's transcript; does nothing for an unknown call.
   *
   * @param callId the call; not blank
   */
  void delete(String callId);
}
