package dev.switchboard.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.agent.Speaker;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryTranscriptStoreTest extends TranscriptStoreCompatibilityKit {
  @Override
  protected TranscriptStore newStore() {
    return InMemoryTranscriptStore.create();
  }

  @Test
  void searchMatchesSubstringsInsideWords() {
    store.append("CA1", said(Speaker.USER, "Refundable tickets", 1));

    assertThat(store.search("FUND", 10)).hasSize(1);
  }

  @Test
  void matchesWithEqualTimestampsComeLatestAppendedFirst() {
    store.append("CA1", said(Speaker.USER, "refund one", 1));
    store.append("CA2", said(Speaker.USER, "refund two", 1));

    assertThat(store.search("refund", 10))
        .extracting(TranscriptMatch::callId)
        .containsExactly("CA2", "CA1");
  }

  @Test
  void aBoundedStoreEvictsTheCallFirstAppendedToLongestAgo() {
    InMemoryTranscriptStore bounded = InMemoryTranscriptStore.builder().maxCalls(2).build();
    bounded.append("CA1", said(Speaker.USER, "one", 1));
    bounded.append("CA2", said(Speaker.USER, "two", 2));
    bounded.append("CA1", said(Speaker.USER, "one again", 3));

    bounded.append("CA3", said(Speaker.USER, "three", 4));

    assertThat(bounded.transcript("CA1")).isEmpty();
    assertThat(bounded.transcript("CA2")).hasSize(1);
    assertThat(bounded.transcript("CA3")).hasSize(1);
  }

  @Test
  void returnedListsAreUnmodifiable() {
    store.append("CA1", said(Speaker.USER, "hello", 1));

    List<?> transcript = store.transcript("CA1");
    List<?> matches = store.search("hello", 1);

    assertThatThrownBy(transcript::clear).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(matches::clear).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void theBuilderRejectsAMaximumBelowOne() {
    assertThatThrownBy(() -> InMemoryTranscriptStore.builder().maxCalls(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxCalls");
  }

  @Test
  void aMatchHidesTheTextInToString() {
    store.append("CA1", said(Speaker.USER, "my password is hunter2", 1));

    assertThat(store.search("password", 1).get(0).toString())
        .contains("CA1")
        .doesNotContain("hunter2", "password");
  }
}
