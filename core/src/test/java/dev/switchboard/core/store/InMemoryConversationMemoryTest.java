package dev.switchboard.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.agent.Speaker;
import dev.switchboard.core.messaging.Channel;
import dev.switchboard.core.store.MemoryEntry.Role;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class InMemoryConversationMemoryTest {
  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
  private static final String CUSTOMER = "+15550001111";

  private static MemoryEntry entry(int n) {
    return MemoryEntry.of(n % 2 == 0 ? Role.USER : Role.AGENT, "m" + n, T0.plusSeconds(n));
  }

  private static List<MemoryEntry> entries(int fromInclusive, int toExclusive) {
    return IntStream.range(fromInclusive, toExclusive)
        .mapToObj(InMemoryConversationMemoryTest::entry)
        .toList();
  }

  /** A summarizer that joins texts and records every call. */
  private static final class RecordingSummarizer implements Summarizer {
    record Call(List<MemoryEntry> dropped, @Nullable MemoryEntry previous) {}

    final List<Call> calls = Collections.synchronizedList(new ArrayList<>());

    @Override
    public MemoryEntry summarize(List<MemoryEntry> dropped, @Nullable MemoryEntry previous) {
      calls.add(new Call(dropped, previous));
      StringBuilder text = new StringBuilder(previous == null ? "summary:" : previous.text());
      dropped.forEach(e -> text.append(' ').append(e.text()));
      return MemoryEntry.of(
          Role.SYSTEM, text.toString(), dropped.get(dropped.size() - 1).timestamp());
    }
  }

  @Test
  void historyIsOldestFirst() {
    ConversationMemory memory = InMemoryConversationMemory.create();

    entries(0, 3).forEach(e -> memory.append(CUSTOMER, e));

    assertThat(memory.history(CUSTOMER)).isEqualTo(entries(0, 3));
  }

  @Test
  void theHistoryOfAnUnknownCustomerIsEmpty() {
    assertThat(InMemoryConversationMemory.create().history("nobody")).isEmpty();
  }

  @Test
  void customerIdsAreOpaqueAndComparedExactly() {
    ConversationMemory memory = InMemoryConversationMemory.create();

    memory.append("+15550001111", entry(1));
    memory.append("+1 555 000 1111", entry(2));

    assertThat(memory.history("+15550001111")).containsExactly(entry(1));
    assertThat(memory.history("+1 555 000 1111")).containsExactly(entry(2));
  }

  @Test
  void withoutASummarizerTheOldestEntriesAreForgotten() {
    ConversationMemory memory = InMemoryConversationMemory.builder().maxEntries(3).build();

    entries(0, 5).forEach(e -> memory.append(CUSTOMER, e));

    assertThat(memory.history(CUSTOMER)).isEqualTo(entries(2, 5));
  }

  @Test
  void aSummarizerFoldsTheOldestHalfIntoOneSummaryAtTheHead() {
    RecordingSummarizer summarizer = new RecordingSummarizer();
    ConversationMemory memory =
        InMemoryConversationMemory.builder().maxEntries(10).summarizer(summarizer).build();

    entries(0, 10).forEach(e -> memory.append(CUSTOMER, e));
    assertThat(summarizer.calls).isEmpty();
    memory.append(CUSTOMER, entry(10));

    assertThat(summarizer.calls).hasSize(1);
    assertThat(summarizer.calls.get(0).dropped()).isEqualTo(entries(0, 6));
    assertThat(summarizer.calls.get(0).previous()).isNull();
    List<MemoryEntry> history = memory.history(CUSTOMER);
    assertThat(history).hasSize(6);
    assertThat(history.get(0).role()).isEqualTo(Role.SYSTEM);
    assertThat(history.get(0).text()).isEqualTo("summary: m0 m1 m2 m3 m4 m5");
    assertThat(history.subList(1, 6)).isEqualTo(entries(6, 11));
  }

  @Test
  void theSummarizerReceivesThePreviousSummaryAndRunsAboutOnceEveryHalfBound() {
    RecordingSummarizer summarizer = new RecordingSummarizer();
    ConversationMemory memory =
        InMemoryConversationMemory.builder().maxEntries(10).summarizer(summarizer).build();

    entries(0, 16).forEach(e -> memory.append(CUSTOMER, e));

    assertThat(summarizer.calls).hasSize(2);
    RecordingSummarizer.Call second = summarizer.calls.get(1);
    assertThat(second.previous()).isNotNull();
    assertThat(second.previous().text()).isEqualTo("summary: m0 m1 m2 m3 m4 m5");
    assertThat(second.dropped()).isEqualTo(entries(6, 11));
    List<MemoryEntry> history = memory.history(CUSTOMER);
    assertThat(history.get(0).text()).isEqualTo("summary: m0 m1 m2 m3 m4 m5 m6 m7 m8 m9 m10");
    assertThat(history.subList(1, history.size())).isEqualTo(entries(11, 16));
  }

  @Test
  void theHistoryNeverExceedsTheBound() {
    for (int max : new int[] {2, 3, 7}) {
      ConversationMemory plain = InMemoryConversationMemory.builder().maxEntries(max).build();
      ConversationMemory summarizing =
          InMemoryConversationMemory.builder()
              .maxEntries(max)
              .summarizer(new RecordingSummarizer())
              .build();
      for (int i = 0; i < 50; i++) {
        plain.append(CUSTOMER, entry(i));
        summarizing.append(CUSTOMER, entry(i));
        assertThat(plain.history(CUSTOMER)).hasSizeLessThanOrEqualTo(max);
        assertThat(summarizing.history(CUSTOMER)).hasSizeLessThanOrEqualTo(max);
        // The newest entry is always kept as it is.
        assertThat(summarizing.history(CUSTOMER)).last().isEqualTo(entry(i));
      }
    }
  }

  @Test
  void aFailingSummarizerDropsTheEntriesAndKeepsThePreviousSummary() {
    RecordingSummarizer recording = new RecordingSummarizer();
    boolean[] fail = {false};
    ConversationMemory memory =
        InMemoryConversationMemory.builder()
            .maxEntries(4)
            .summarizer(
                (dropped, previous) -> {
                  if (fail[0]) {
                    throw new IllegalStateException("model unavailable");
                  }
                  return recording.summarize(dropped, previous);
                })
            .build();
    entries(0, 5).forEach(e -> memory.append(CUSTOMER, e)); // folds m0..m2
    MemoryEntry summary = memory.history(CUSTOMER).get(0);

    fail[0] = true;
    entries(5, 7).forEach(e -> memory.append(CUSTOMER, e)); // would fold m3, m4

    assertThat(memory.history(CUSTOMER)).containsExactly(summary, entry(5), entry(6));
  }

  @Test
  void aSummarizerReturningNullCountsAsAFailure() {
    ConversationMemory memory =
        InMemoryConversationMemory.builder()
            .maxEntries(2)
            .summarizer((dropped, previous) -> null)
            .build();

    entries(0, 3).forEach(e -> memory.append(CUSTOMER, e));

    assertThat(memory.history(CUSTOMER)).containsExactly(entry(2));
  }

  @Test
  void clearForgetsTheHistoryAndTheSummary() {
    ConversationMemory memory =
        InMemoryConversationMemory.builder()
            .maxEntries(2)
            .summarizer(new RecordingSummarizer())
            .build();
    entries(0, 5).forEach(e -> memory.append(CUSTOMER, e));
    memory.append("other", entry(9));

    memory.clear(CUSTOMER);
    memory.clear("never-seen");

    assertThat(memory.history(CUSTOMER)).isEmpty();
    assertThat(memory.history("other")).containsExactly(entry(9));
    memory.append(CUSTOMER, entry(7));
    assertThat(memory.history(CUSTOMER)).containsExactly(entry(7));
  }

  @Test
  void aBoundOnCustomersForgetsTheLeastRecentlyUsed() {
    ConversationMemory memory = InMemoryConversationMemory.builder().maxCustomers(2).build();
    memory.append("a", entry(1));
    memory.append("b", entry(2));
    memory.history("a"); // "a" is now more recent than "b"

    memory.append("c", entry(3));

    assertThat(memory.history("b")).isEmpty();
    assertThat(memory.history("a")).containsExactly(entry(1));
    assertThat(memory.history("c")).containsExactly(entry(3));
  }

  @Test
  void concurrentAppendsFromSeveralThreadsLoseNothing() throws Exception {
    int threads = 8;
    int perThread = 250;
    ConversationMemory memory =
        InMemoryConversationMemory.builder().maxEntries(threads * perThread).build();

    Concurrently.run(
        threads,
        t -> {
          for (int i = 0; i < perThread; i++) {
            memory.append(CUSTOMER, MemoryEntry.of(Role.USER, t + ":" + i, T0));
            memory.append("customer-" + t, MemoryEntry.of(Role.USER, "" + i, T0));
          }
        });

    List<MemoryEntry> shared = memory.history(CUSTOMER);
    assertThat(shared).hasSize(threads * perThread);
    for (int t = 0; t < threads; t++) {
      String prefix = t + ":";
      assertThat(shared.stream().map(MemoryEntry::text).filter(s -> s.startsWith(prefix)))
          .as("thread %d's entries, in its order", t)
          .containsExactlyElementsOf(
              IntStream.range(0, perThread).mapToObj(i -> prefix + i).toList());
      assertThat(memory.history("customer-" + t)).hasSize(perThread);
    }
  }

  @Test
  void concurrentAppendsWithASummarizerAccountForEveryEntryOnce() throws Exception {
    int threads = 8;
    int perThread = 250;
    RecordingSummarizer summarizer = new RecordingSummarizer();
    ConversationMemory memory =
        InMemoryConversationMemory.builder().maxEntries(20).summarizer(summarizer).build();

    Concurrently.run(
        threads,
        t -> {
          for (int i = 0; i < perThread; i++) {
            memory.append(CUSTOMER, MemoryEntry.of(Role.USER, t + ":" + i, T0));
          }
        });

    List<String> seen = new ArrayList<>();
    summarizer.calls.forEach(c -> c.dropped().forEach(e -> seen.add(e.text())));
    List<MemoryEntry> history = memory.history(CUSTOMER);
    assertThat(history.get(0).role()).isEqualTo(Role.SYSTEM);
    history.subList(1, history.size()).forEach(e -> seen.add(e.text()));
    Set<String> expected = new HashSet<>();
    for (int t = 0; t < threads; t++) {
      for (int i = 0; i < perThread; i++) {
        expected.add(t + ":" + i);
      }
    }
    assertThat(seen).hasSize(threads * perThread).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void idsAndEntriesAreCheckedByName() {
    ConversationMemory memory = InMemoryConversationMemory.create();

    assertThatThrownBy(() -> memory.append(" ", entry(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("customerId");
    assertThatThrownBy(() -> memory.append(null, entry(1)))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("customerId");
    assertThatThrownBy(() -> memory.append(CUSTOMER, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("entry");
    assertThatThrownBy(() -> memory.history(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("customerId");
    assertThatThrownBy(() -> memory.clear(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("customerId");
  }

  @Test
  void theBuilderNamesTheBadSetting() {
    assertThatThrownBy(() -> InMemoryConversationMemory.builder().maxEntries(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxEntries");
    assertThatThrownBy(
            () ->
                InMemoryConversationMemory.builder()
                    .maxEntries(1)
                    .summarizer(new RecordingSummarizer())
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxEntries")
        .hasMessageContaining("summarizer");
    assertThatThrownBy(() -> InMemoryConversationMemory.builder().maxCustomers(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxCustomers");
  }

  @Test
  void aMemoryEntryHidesItsTextInToString() {
    MemoryEntry entry = new MemoryEntry(Role.USER, "my address is 1 Main St", T0, Channel.WHATSAPP);

    assertThat(entry.toString()).contains("USER", "WHATSAPP").doesNotContain("Main");
  }

  @Test
  void rolesFollowTranscriptSpeakers() {
    assertThat(Role.of(Speaker.USER)).isEqualTo(Role.USER);
    assertThat(Role.of(Speaker.AGENT)).isEqualTo(Role.AGENT);
  }
}
