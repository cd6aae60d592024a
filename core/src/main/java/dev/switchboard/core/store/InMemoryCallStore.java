package dev.switchboard.core.store;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A {@link CallStore} in memory, optionally bounded: when a save would exceed {@link
 * Builder#maxRecords}, the record with the oldest {@code startedAt} is evicted (which may be the
 * one just saved, if it is older than all the others). Among records that started at the same
 * instant, the one whose call id was first saved later counts as newer. Thread-safe; every method
 * runs in time logarithmic in the number of records, except {@link #recent} which is linear in its
 * limit. Everything is lost when the process ends.
 *
 * <pre>{@code
 * CallStore calls = InMemoryCallStore.builder().maxRecords(10_000).build();
 * }</pre>
 */
public final class InMemoryCallStore implements CallStore {
  /** Orders newest first: later startedAt first, then later first save first. */
  private static final Comparator<Entry> NEWEST_FIRST =
      Comparator.comparing((Entry e) -> e.record.startedAt())
          .thenComparingLong(e -> e.sequence)
          .reversed();

  private final int maxRecords;
  private final Object lock = new Object();
  private final Map<String, Entry> byId = new HashMap<>(); // guarded by lock
  private final TreeSet<Entry> byAge = new TreeSet<>(NEWEST_FIRST); // guarded by lock
  private long nextSequence; // guarded by lock

  private InMemoryCallStore(Builder builder) {
    this.maxRecords = builder.maxRecords;
  }

  /**
   * Creates an unbounded store.
   *
   * @return a new, empty store
   */
  public static InMemoryCallStore create() {
    return builder().build();
  }

  /**
   * Starts configuring a store.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void save(CallRecord record) {
    Objects.requireNonNull(record, "record");
    synchronized (lock) {
      Entry old = byId.get(record.callId());
      Entry entry = new Entry(record, old != null ? old.sequence : nextSequence++);
      if (old != null) {
        byAge.remove(old);
      }
      byId.put(record.callId(), entry);
      byAge.add(entry);
      while (byId.size() > maxRecords) {
        Entry oldest = byAge.pollLast();
        byId.remove(oldest.record.callId());
      }
    }
  }

  @Override
  public Optional<CallRecord> find(String callId) {
    Checks.id(callId, "callId");
    synchronized (lock) {
      Entry entry = byId.get(callId);
      return entry == null ? Optional.empty() : Optional.of(entry.record);
    }
  }

  @Override
  public List<CallRecord> recent(int limit) {
    Checks.limit(limit);
    synchronized (lock) {
      List<CallRecord> result = new ArrayList<>(Math.min(limit, byAge.size()));
      Iterator<Entry> it = byAge.iterator();
      while (it.hasNext() && result.size() < limit) {
        result.add(it.next().record);
      }
      return List.copyOf(result);
    }
  }

  @Override
  public boolean delete(String callId) {
    Checks.id(callId, "callId");
    synchronized (lock) {
      Entry entry = byId.remove(callId);
      if (entry == null) {
        return false;
      }
      byAge.remove(entry);
      return true;
    }
  }

  /**
   * Returns how many records the store holds.
   *
   * @return the count
   */
  public int size() {
    synchronized (lock) {
      return byId.size();
    }
  }

  @Override
  public String toString() {
    return "InMemoryCallStore{size="
        + size()
        + (maxRecords == Integer.MAX_VALUE ? "" : ", maxRecords=" + maxRecords)
        + '}';
  }

  /** A record and its first-save order, which breaks ties between equal start times. */
  private static final class Entry {
    final CallRecord record;
    final long sequence;

    Entry(CallRecord record, long sequence) {
      this.record = record;
      this.sequence = sequence;
    }
  }

  /** Configures an {@link InMemoryCallStore}. Not thread-safe. */
  public static final class Builder {
    private int maxRecords = Integer.MAX_VALUE;

    private Builder() {}

    /**
     * Bounds the store: beyond this many records, the oldest by {@code startedAt} are evicted.
     * Default: unbounded.
     *
     * @param maxRecords at least 1
     * @return this builder
     */
    public Builder maxRecords(int maxRecords) {
      this.maxRecords = maxRecords;
      return this;
    }

    /**
     * Builds the store.
     *
     * @return a new, empty store
     * @throws IllegalArgumentException if {@code maxRecords} is less than 1
     */
    public InMemoryCallStore build() {
      if (maxRecords < 1) {
        throw new IllegalArgumentException("maxRecords must be at least 1, got " + maxRecords);
      }
      return new InMemoryCallStore(this);
    }
  }
}
