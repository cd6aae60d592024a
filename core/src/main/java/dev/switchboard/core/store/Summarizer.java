package dev.switchboard.core.store;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Folds a customer's oldest {@link MemoryEntry}s into one summary entry when a {@link
 * ConversationMemory} reaches its bound, so old context is condensed rather than forgotten. Usually
 * backed by a language model. Must be thread-safe: the memory calls it for different customers at
 * once (never twice at once for one customer).
 *
 * <pre>{@code
 * Summarizer summarizer = (dropped, previous) -> MemoryEntry.of(
 *     MemoryEntry.Role.SYSTEM,
 *     llm.summarize(previous == null ? "" : previous.text(), dropped),
 *     dropped.get(dropped.size() - 1).timestamp());
 * }</pre>
 */
@FunctionalInterface
public interface Summarizer {
  /**
   * Returns a summary that replaces the previous one at the head of the history. It should condense
   * both the previous summary and the dropped entries; a {@link MemoryEntry.Role#SYSTEM} role is
   * the usual choice. If this method throws, the memory logs the failure, drops the entries and
   * keeps the previous summary.
   *
   * @param dropped the entries leaving the history, oldest first; never empty, unmodifiable
   * @param previousSummary the summary kept so far, or null if there is none yet
   * @return the new summary
   */
  MemoryEntry summarize(List<MemoryEntry> dropped, @Nullable MemoryEntry previousSummary);
}
