package dev.switchboard.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryCallStoreTest extends CallStoreCompatibilityKit {
  @Override
  protected CallStore newStore() {
    return InMemoryCallStore.create();
  }

  @Test
  void aBoundedStoreEvictsTheOldestCall() {
    InMemoryCallStore bounded = InMemoryCallStore.builder().maxRecords(2).build();
    bounded.save(call("CA2", T0.plusSeconds(2)));
    bounded.save(call("CA1", T0.plusSeconds(1)));

    bounded.save(call("CA3", T0.plusSeconds(3)));

    assertThat(bounded.size()).isEqualTo(2);
    assertThat(bounded.find("CA1")).isEmpty();
    assertThat(bounded.recent(10)).extracting(CallRecord::callId).containsExactly("CA3", "CA2");
  }

  @Test
  void updatingARecordInAFullStoreEvictsNothing() {
    InMemoryCallStore bounded = InMemoryCallStore.builder().maxRecords(2).build();
    bounded.save(call("CA1", T0.plusSeconds(1)));
    bounded.save(call("CA2", T0.plusSeconds(2)));

    bounded.save(call("CA1", T0.plusSeconds(1)).withMetadata("k", "v"));

    assertThat(bounded.recent(10)).extracting(CallRecord::callId).containsExactly("CA2", "CA1");
  }

  @Test
  void callsStartedAtTheSameInstantComeLatestFirstSavedFirst() {
    store.save(call("CA1", T0));
    store.save(call("CA2", T0));
    store.save(call("CA3", T0));

    store.save(call("CA1", T0).withMetadata("k", "v")); // an update keeps its place

    assertThat(store.recent(10))
        .extracting(CallRecord::callId)
        .containsExactly("CA3", "CA2", "CA1");
  }

  @Test
  void recentReturnsAnUnmodifiableList() {
    store.save(call("CA1", T0));

    List<CallRecord> recent = store.recent(10);

    assertThatThrownBy(recent::clear).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void theBuilderRejectsAMaximumBelowOne() {
    assertThatThrownBy(() -> InMemoryCallStore.builder().maxRecords(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxRecords");
  }
}
