package dev.switchboard.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.agent.Speaker;
import dev.switchboard.core.agent.Transcript;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of every {@link TranscriptStore}: extend it with a test that supplies a new, empty
 * store. Searches here use whole words, which every implementation must find.
 */
abstract class TranscriptStoreCompatibilityKit {
  static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

  /** The store under test, new and empty for each test. */
  TranscriptStore store;

  /** Returns a new, empty, unbounded store. */
  protected abstract TranscriptStore newStore();

  @BeforeEach
  void createStore() {
    store = newStore();
  }

  static Transcript said(Speaker speaker, String text, int second) {
    return new Transcript(speaker, text, true, "item-" + second, T0.plusSeconds(second));
  }

  static Transcript partial(String text, int second) {
    return new Transcript(Speaker.USER, text, false, "item-" + second, T0.plusSeconds(second));
  }

  @Test
  void finalEntriesAreKeptInTheOrderAppended() {
    Transcript hello = said(Speaker.AGENT, "Hello, how can I help?", 1);
    Transcript answer = said(Speaker.USER, "I need a refund", 2);
    Transcript reply = said(Speaker.AGENT, "Sure", 3);

    store.append("CA1", hello);
    store.append("CA1", answer);
    store.append("CA1", reply);

    assertThat(store.transcript("CA1")).containsExactly(hello, answer, reply);
  }

  @Test
  void partialEntriesAreIgnored() {
    store.append("CA1", partial("I ne", 1));
    store.append("CA1", partial("I need a", 1));
    Transcript done = said(Speaker.USER, "I need a refund", 1);
    store.append("CA1", done);

    assertThat(store.transcript("CA1")).containsExactly(done);
    assertThat(store.search("need", 10)).hasSize(1);
  }

  @Test
  void transcriptsOfDifferentCallsAreKeptApart() {
    store.append("CA1", said(Speaker.USER, "one", 1));
    store.append("CA2", said(Speaker.USER, "two", 2));

    assertThat(store.transcript("CA1")).extracting(Transcript::text).containsExactly("one");
    assertThat(store.transcript("CA2")).extracting(Transcript::text).containsExactly("two");
  }

  @Test
  void theTranscriptOfAnUnknownCallIsEmpty() {
    assertThat(store.transcript("CA-unknown")).isEmpty();
  }

  @Test
  void searchIgnoresCaseAndNamesTheCall() {
    Transcript refund = said(Speaker.USER, "I want a REFUND for my order", 2);
    store.append("CA1", said(Speaker.AGENT, "Welcome", 1));
    store.append("CA1", refund);
    store.append("CA2", said(Speaker.USER, "Where is my parcel?", 3));

    List<TranscriptMatch> matches = store.search("refund", 10);

    assertThat(matches).containsExactly(new TranscriptMatch("CA1", refund));
  }

  @Test
  void searchFindsPhrasesAndIgnoresSurroundingWhiteSpace() {
    store.append("CA1", said(Speaker.USER, "please cancel my order today", 1));
    store.append("CA2", said(Speaker.USER, "my order was cancelled", 2));

    assertThat(store.search("  Cancel My Order ", 10))
        .extracting(TranscriptMatch::callId)
        .containsExactly("CA1");
  }

  @Test
  void searchReturnsTheNewestFirstUpToTheLimit() {
    store.append("CA1", said(Speaker.USER, "refund please", 1));
    store.append("CA2", said(Speaker.USER, "a refund again", 3));
    store.append("CA3", said(Speaker.USER, "refund now", 2));
    store.append("CA3", said(Speaker.AGENT, "no match here", 4));

    assertThat(store.search("refund", 2))
        .extracting(m -> m.transcript().timestamp())
        .containsExactly(T0.plusSeconds(3), T0.plusSeconds(2));
    assertThat(store.search("refund", 10))
        .extracting(TranscriptMatch::callId)
        .containsExactly("CA2", "CA3", "CA1");
  }

  @Test
  void searchWithoutMatchesIsEmpty() {
    store.append("CA1", said(Speaker.USER, "hello", 1));

    assertThat(store.search("goodbye", 10)).isEmpty();
  }

  @Test
  void searchRejectsBlankTextAndALimitBelowOne() {
    assertThatThrownBy(() -> store.search("  ", 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("text");
    assertThatThrownBy(() -> store.search("x", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limit");
  }

  @Test
  void deleteRemovesTheTranscriptAndItsSearchMatches() {
    store.append("CA1", said(Speaker.USER, "refund", 1));
    store.append("CA2", said(Speaker.USER, "refund", 2));

    store.delete("CA1");
    store.delete("CA-unknown");

    assertThat(store.transcript("CA1")).isEmpty();
    assertThat(store.search("refund", 10))
        .extracting(TranscriptMatch::callId)
        .containsExactly("CA2");
  }

  @Test
  void idsAreCheckedByName() {
    Transcript entry = said(Speaker.USER, "x", 1);
    assertThatThrownBy(() -> store.append(" ", entry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("callId");
    assertThatThrownBy(() -> store.append(null, entry))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("callId");
    assertThatThrownBy(() -> store.append("CA1", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("entry");
    assertThatThrownBy(() -> store.transcript(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("callId");
    assertThatThrownBy(() -> store.delete(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("callId");
  }

  @Test
  void concurrentAppendsFromSeveralThreadsLoseNothing() throws Exception {
    int threads = 8;
    int perThread = 200;

    Concurrently.run(
        threads,
        t -> {
          for (int i = 0; i < perThread; i++) {
            store.append("CA-shared", said(Speaker.USER, "thread " + t + " line " + i, i));
            store.append("CA-" + t, said(Speaker.USER, "line " + i, i));
          }
        });

    List<Transcript> shared = store.transcript("CA-shared");
    assertThat(shared).hasSize(threads * perThread);
    for (int t = 0; t < threads; t++) {
      String prefix = "thread " + t + " line ";
      assertThat(shared.stream().map(Transcript::text).filter(s -> s.startsWith(prefix)))
          .as("thread %d's entries, in its order", t)
          .containsExactlyElementsOf(
              IntStream.range(0, perThread).mapToObj(i -> prefix + i).toList());
      assertThat(store.transcript("CA-" + t)).hasSize(perThread);
    }
  }
}
