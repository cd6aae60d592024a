package dev.switchboard.core.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PlaybackLedgerTest {
  @Test
  void echoesAdvanceThePlayedTimeOfTheirItem() {
    PlaybackLedger ledger = new PlaybackLedger();
    PlaybackLedger.Item item = ledger.item("r1", "i1", false);
    String m1 = ledger.sent(item, 100_000, 0);
    String m2 = ledger.sent(item, 100_000, 0);
    assertThat(m1).isEqualTo("g0-s0");
    assertThat(m2).isEqualTo("g0-s1");
    assertThat(ledger.echoed(m1, 100)).isTrue();
    assertThat(item.playedUs).isEqualTo(100_000);
    assertThat(ledger.idle()).isFalse();
    assertThat(ledger.echoed(m2, 200)).isTrue();
    assertThat(ledger.idle()).isTrue();
  }

  @Test
  void marksOfAnOlderGenerationOrMalformedNamesAreIgnored() {
    PlaybackLedger ledger = new PlaybackLedger();
    String m = ledger.sent(ledger.item("r1", "i1", false), 20_000, 0);
    ledger.reset();
    assertThat(ledger.echoed(m, 10)).isFalse();
    for (String bad : new String[] {"", "x", "g", "g1", "g1-s", "gx-s1", "g0-sx", "g0-s1-"}) {
      assertThat(ledger.echoed(bad, 10)).as(bad).isFalse();
    }
  }

  @Test
  void interpolationIsCappedAtTheNextPendingMark() {
    PlaybackLedger ledger = new PlaybackLedger();
    PlaybackLedger.Item item = ledger.item("r1", "i1", false);
    ledger.sent(item, 100_000, 1_000);
    assertThat(ledger.playedUs(1_050)).isEqualTo(50_000);
    assertThat(ledger.playedUs(5_000)).isEqualTo(100_000);
  }

  @Test
  void theRingGrowsWhenManyMarksArePending() {
    PlaybackLedger ledger = new PlaybackLedger();
    PlaybackLedger.Item item = ledger.item("r1", "i1", false);
    String last = null;
    for (int i = 0; i < 100; i++) {
      last = ledger.sent(item, 20_000, 0);
    }
    assertThat(ledger.pendingMarks()).isEqualTo(100);
    assertThat(ledger.echoed(last, 2_000)).isTrue();
    assertThat(item.playedUs).isEqualTo(2_000_000);
    assertThat(ledger.idle()).isTrue();
  }
}
