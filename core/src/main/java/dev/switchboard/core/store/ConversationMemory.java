package dev.switchboard.core.store;

import java.util.List;

/**
 * A bounded history per customer, across calls and messaging channels, that an agent reads to
 * remember earlier conversations. An SPI: {@link InMemoryConversationMemory} is the default,
 * persistent implementations come in their own modules. Implementations are thread-safe; methods
 * may block (on I/O, or on a {@link Summarizer}), so call them from worker threads.
 *
 * <pre>{@code
 * ConversationMemory memory = InMemoryConversationMemory.builder().maxEntries(50).build();
 * memory.append(customerId, MemoryEntry.of(MemoryEntry.Role.USER, text, now));
 * List<MemoryEntry> context = memory.history(customerId);
 * }</pre>
 *
 * <p><b>Bound.</b> Each customer's history holds a bounded number of entries. When an append would
 * exceed it, the oldest entries leave: with a {@link Summarizer} they are folded into a single
 * summary entry kept at the head of the history, otherwise they are forgotten. Implementations say
 * how many leave at once.
 *
 * <p><b>Customer ids</b> are opaque, compared exactly: the memory does not normalise them.
 * Normalising a phone number (to E.164, so that the same customer by SMS, WhatsApp and voice is one
 * history) is the messaging bridge's job, done before it calls the memory. A null id throws {@link
 * NullPointerException} and a blank one {@link IllegalArgumentException}, each naming the argument.
 */
public interface ConversationMemory {
  /**
   * Appends an entry to a customer's history, summarising or dropping the oldest entries if the
   * bound is reached.
   *
   * @param customerId the customer; not blank
   * @param entry the entry
   */
  void append(String customerId, MemoryEntry entry);

  /**
   * Returns a customer's history.
   *
   * @param customerId the customer; not blank
   * @return the entries in the order they were appended, oldest first, after the summary if there
   *     is one; unmodifiable; empty for an unknown customer
   */
  List<MemoryEntry> history(String customerId);

  /**
   * Forgets a customer's history, summary included; does nothing for an unknown customer.
   *
   * @param customerId the customer; not blank
   */
  void clear(String customerId);
}
