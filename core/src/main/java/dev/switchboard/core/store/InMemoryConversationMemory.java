package dev.switchboard.core.store;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ConversationMemory} in memory, bounded per customer and optionally in the number of
 * customers. Thread-safe; everything is lost when the process ends.
 *
 * <pre>{@code
 * ConversationMemory memory = InMemoryConversationMemory.builder()
 *     .maxEntries(40)
 *     .summarizer(summarizer)
 *     .maxCustomers(100_000)
 *     .build();
 * }</pre>
 *
 * <p><b>Bound.</b> A history never holds more than {@link Builder#maxEntries} entries, the summary
 * included. Without a summarizer, each append beyond the bound forgets the oldest entry. With one,
 * the oldest half of the entries (rounded up, and at least enough to make room for the summary) is
 * folded at once into a new summary by one {@link Summarizer#summarize} call, so the summarizer
 * runs about once every {@code maxEntries / 2} appends rather than on every append. If the
 * summarizer throws or returns null, the failure is logged, those entries are forgotten and the
 * previous summary is kept.
 *
 * <p><b>Threading.</b> The summarizer runs on the thread calling {@link #append}, holding that
 * customer's lock: other calls for the same customer wait for it, calls for other customers do not.
 * Appends to one customer are applied one at a time in the order they take the lock; none is lost.
 *
 * <p><b>Customers.</b> With {@link Builder#maxCustomers}, adding a customer beyond the bound
 * forgets the least recently used one (by {@link #append} or {@link #history}).
 */
public final class InMemoryConversationMemory implements ConversationMemory {
  private static final Logger log = LoggerFactory.getLogger(InMemoryConversationMemory.class);

  private final int maxEntries;
  private final @Nullable Summarizer summarizer;
  private final int maxCustomers;
  private final Object lock = new Object();
  // Access-ordered for least-recently-used eviction; guarded by lock. Never held while a history's
  // own lock is taken, so a slow summarizer delays only its own customer.
  private final LinkedHashMap<String, History> customers = new LinkedHashMap<>(16, 0.75f, true);

  private InMemoryConversationMemory(Builder builder) {
    this.maxEntries = builder.maxEntries;
    this.summarizer = builder.summarizer;
    this.maxCustomers = builder.maxCustomers;
  }

  /**
   * Creates a memory with the defaults: 50 entries per customer, no summarizer, no bound on
   * customers.
   *
   * @return a new, empty memory
   */
  public static InMemoryConversationMemory create() {
    return builder().build();
  }

  /**
   * Starts configuring a memory.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void append(String customerId, MemoryEntry entry) {
    Checks.id(customerId, "customerId");
    Objects.requireNonNull(entry, "entry");
    while (true) {
      History history = historyFor(customerId);
      synchronized (history.lock) {
        if (history.removed) {
          continue; // cleared or evicted since we looked it up: start a new history
        }
        history.entries.addLast(entry);
        fit(history);
        return;
      }
    }
  }

  @Override
  public List<MemoryEntry> history(String customerId) {
    Checks.id(customerId, "customerId");
    History history;
    synchronized (lock) {
      history = customers.get(customerId);
    }
    if (history == null) {
      return List.of();
    }
    synchronized (history.lock) {
      if (history.removed) {
        return List.of();
      }
      List<MemoryEntry> result = new ArrayList<>(history.entries.size() + 1);
      if (history.summary != null) {
        result.add(history.summary);
      }
      result.addAll(history.entries);
      return List.copyOf(result);
    }
  }

  @Override
  public void clear(String customerId) {
    Checks.id(customerId, "customerId");
    History history;
    synchronized (lock) {
      history = customers.remove(customerId);
    }
    if (history != null) {
      history.remove();
    }
  }

  @Override
  public String toString() {
    int size;
    synchronized (lock) {
      size = customers.size();
    }
    return "InMemoryConversationMemory{customers="
        + size
        + ", maxEntries="
        + maxEntries
        + (summarizer != null ? ", summarizing" : "")
        + (maxCustomers == Integer.MAX_VALUE ? "" : ", maxCustomers=" + maxCustomers)
        + '}';
  }

  /** Returns the customer's history, creating it and evicting the least recently used if needed. */
  private History historyFor(String customerId) {
    List<History> evicted = List.of();
    History history;
    synchronized (lock) {
      history = customers.get(customerId);
      if (history == null) {
        history = new History();
        customers.put(customerId, history);
        if (customers.size() > maxCustomers) {
          evicted = new ArrayList<>();
          Iterator<Map.Entry<String, History>> eldest = customers.entrySet().iterator();
          while (customers.size() > maxCustomers) {
            evicted.add(eldest.next().getValue());
            eldest.remove();
          }
        }
      }
    }
    for (History old : evicted) {
      old.remove();
    }
    return history;
  }

  /** Brings a history back within the bound; called holding its lock. */
  private void fit(History history) {
    int size = history.entries.size() + (history.summary != null ? 1 : 0);
    if (size <= maxEntries) {
      return;
    }
    Summarizer s = summarizer;
    if (s == null) {
      while (history.entries.size() > maxEntries) {
        history.entries.removeFirst();
      }
      return;
    }
    int count = history.entries.size();
    int fold = Math.max(count - (maxEntries - 1), (count + 1) / 2);
    List<MemoryEntry> dropped = new ArrayList<>(fold);
    for (int i = 0; i < fold; i++) {
      dropped.add(history.entries.removeFirst());
    }
    try {
      MemoryEntry summary = s.summarize(List.copyOf(dropped), history.summary);
      history.summary = Objects.requireNonNull(summary, "the summarizer returned null");
    } catch (RuntimeException e) {
      log.warn("Summarizer failed; {} memory entries dropped without a summary", fold, e);
    }
  }

  /** One customer's history, with its own lock. */
  private static final class History {
    final Object lock = new Object();
    final ArrayDeque<MemoryEntry> entries = new ArrayDeque<>(); // guarded by lock
    @Nullable MemoryEntry summary; // guarded by lock
    boolean removed; // guarded by lock

    void remove() {
      synchronized (lock) {
        removed = true;
        entries.clear();
        summary = null;
      }
    }
  }

  /** Configures an {@link InMemoryConversationMemory}. Not thread-safe. */
  public static final class Builder {
    private int maxEntries = 50;
    private @Nullable Summarizer summarizer;
    private int maxCustomers = Integer.MAX_VALUE;

    private Builder() {}

    /**
     * Sets the most entries a customer's history holds, a summary included. Default 50.
     *
     * @param maxEntries at least 1, or at least 2 with a summarizer
     * @return this builder
     */
    public Builder maxEntries(int maxEntries) {
      this.maxEntries = maxEntries;
      return this;
    }

    /**
     * Sets the summarizer that folds the oldest entries into a summary when a history is full.
     * Default: none, the oldest entries are forgotten.
     *
     * @param summarizer the summarizer; must be thread-safe
     * @return this builder
     */
    public Builder summarizer(Summarizer summarizer) {
      this.summarizer = Objects.requireNonNull(summarizer, "summarizer");
      return this;
    }

    /**
     * Bounds the number of customers: adding one beyond it forgets the least recently used.
     * Default: unbounded.
     *
     * @param maxCustomers at least 1
     * @return this builder
     */
    public Builder maxCustomers(int maxCustomers) {
      this.maxCustomers = maxCustomers;
      return this;
    }

    /**
     * Builds the memory.
     *
     * @return a new, empty memory
     * @throws IllegalArgumentException naming {@code maxEntries} or {@code maxCustomers} if out of
     *     range
     */
    public InMemoryConversationMemory build() {
      int minEntries = summarizer != null ? 2 : 1;
      if (maxEntries < minEntries) {
        throw new IllegalArgumentException(
            "maxEntries must be at least "
                + minEntries
                + (summarizer != null ? " with a summarizer" : "")
                + ", got "
                + maxEntries);
      }
      if (maxCustomers < 1) {
        throw new IllegalArgumentException("maxCustomers must be at least 1, got " + maxCustomers);
      }
      return new InMemoryConversationMemory(this);
    }
  }
}
