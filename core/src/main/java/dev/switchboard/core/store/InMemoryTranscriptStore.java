package dev.switchboard.core.store;

import dev.switchboard.core.agent.Transcript;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link TranscriptStore} in memory. Search matches substrings, ignoring case (by {@link
 * Locale#ROOT} lower-casing), with a scan of every stored entry, so it suits development, tests and
 * modest volumes. Optionally bounded by number of calls: beyond {@link Builder#maxCalls}, the
 * transcript of the call first appended to longest ago is evicted. Matches with equal timestamps
 * come latest-appended first. Thread-safe; everything is lost when the process ends.
 *
 * <pre>{@code
 * TranscriptStore transcripts = InMemoryTranscriptStore.builder().maxCalls(1_000).build();
 * }</pre>
 */
public final class InMemoryTranscriptStore implements TranscriptStore {
  private static final Comparator<Hit> NEWEST_FIRST =
      Comparator.comparing((Hit h) -> h.stored.entry.timestamp())
          .thenComparingLong(h -> h.stored.sequence)
          .reversed();

  private final int maxCalls;
  private final Object lock = new Object();
  // In order of each call's first append, for eviction; guarded by lock.
  private final LinkedHashMap<String, List<Stored>> calls = new LinkedHashMap<>();
  private long nextSequence; // guarded by lock

  private InMemoryTranscriptStore(Builder builder) {
    this.maxCalls = builder.maxCalls;
  }

  /**
   * Creates an unbounded store.
   *
   * @return a new, empty store
   */
  public static InMemoryTranscriptStore create() {
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
  public void append(String callId, Transcript entry) {
    Checks.id(callId, "callId");
    Objects.requireNonNull(entry, "entry");
    if (!entry.isFinal()) {
      return;
    }
    String folded = fold(entry.text()); // outside the lock: it copies the text
    synchronized (lock) {
      calls
          .computeIfAbsent(callId, id -> new ArrayList<>())
          .add(new Stored(entry, folded, nextSequence++));
      if (calls.size() > maxCalls) {
        Iterator<String> eldest = calls.keySet().iterator();
        eldest.next();
        eldest.remove();
      }
    }
  }

  @Override
  public List<Transcript> transcript(String callId) {
    Checks.id(callId, "callId");
    synchronized (lock) {
      List<Stored> stored = calls.get(callId);
      if (stored == null) {
        return List.of();
      }
      List<Transcript> result = new ArrayList<>(stored.size());
      for (Stored s : stored) {
        result.add(s.entry);
      }
      return List.copyOf(result);
    }
  }

  @Override
  public List<TranscriptMatch> search(String text, int limit) {
    Objects.requireNonNull(text, "text");
    if (text.isBlank()) {
      throw new IllegalArgumentException("text must not be blank");
    }
    Checks.limit(limit);
    String needle = fold(text.strip());
    List<Hit> hits = new ArrayList<>();
    synchronized (lock) {
      for (Map.Entry<String, List<Stored>> call : calls.entrySet()) {
        for (Stored s : call.getValue()) {
          if (s.folded.contains(needle)) {
            hits.add(new Hit(call.getKey(), s));
          }
        }
      }
    }
    hits.sort(NEWEST_FIRST);
    List<TranscriptMatch> result = new ArrayList<>(Math.min(limit, hits.size()));
    for (int i = 0; i < hits.size() && i < limit; i++) {
      Hit hit = hits.get(i);
      result.add(new TranscriptMatch(hit.callId, hit.stored.entry));
    }
    return List.copyOf(result);
  }

  @Override
  public void delete(String callId) {
    Checks.id(callId, "callId");
    synchronized (lock) {
      calls.remove(callId);
    }
  }

  @Override
  public String toString() {
    int size;
    synchronized (lock) {
      size = calls.size();
    }
    return "InMemoryTranscriptStore{calls="
        + size
        + (maxCalls == Integer.MAX_VALUE ? "" : ", maxCalls=" + maxCalls)
        + '}';
  }

  private static String fold(String text) {
    return text.toLowerCase(Locale.ROOT);
  }

  /** An entry with its case-folded text and its append order. */
  private static final class Stored {
    final Transcript entry;
    final String folded;
    final long sequence;

    Stored(Transcript entry, String folded, long sequence) {
      this.entry = entry;
      this.folded = folded;
      this.sequence = sequence;
    }
  }

  /** A search hit: a stored entry and its call. */
  private static final class Hit {
    final String callId;
    final Stored stored;

    Hit(String callId, Stored stored) {
      this.callId = callId;
      this.stored = stored;
    }
  }

  /** Configures an {@link InMemoryTranscriptStore}. Not thread-safe. */
  public static final class Builder {
    private int maxCalls = Integer.MAX_VALUE;

    private Builder() {}

    /**
     * Bounds the store: beyond this many calls, the transcript of the call first appended to
     * longest ago is evicted. Default: unbounded.
     *
     * @param maxCalls at least 1
     * @return this builder
     */
    public Builder maxCalls(int maxCalls) {
      this.maxCalls = maxCalls;
      return this;
    }

    /**
     * Builds the store.
     *
     * @return a new, empty store
     * @throws IllegalArgumentException if {@code maxCalls} is less than 1
     */
    public InMemoryTranscriptStore build() {
      if (maxCalls < 1) {
        throw new IllegalArgumentException("maxCalls must be at least 1, got " + maxCalls);
      }
      return new InMemoryTranscriptStore(this);
    }
  }
}
