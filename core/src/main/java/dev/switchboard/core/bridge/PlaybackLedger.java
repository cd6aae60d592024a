package dev.switchboard.core.bridge;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What has been sent to the phone in the current playback generation and how much of it has been
 * played, learnt from echoed marks. Not thread-safe: the owning bridge guards it with its lock.
 *
 * <p>Every chunk sent is followed by a mark named {@code g<generation>-s<sequence>}; the ledger
 * remembers, per pending mark, the item it closes, that item's sent time at the mark and the
 * position on the generation's timeline (all chunks of all items, in sending order). The phone
 * plays its buffer in order and echoes a mark when the audio before it has played, so an echo
 * proves the timeline played up to the mark. Between echoes the position is interpolated with the
 * clock from the last proof (the anchor), never beyond the next pending mark: played audio is known
 * to within the chunk being played, and usually to within the network's jitter. A {@code clear}
 * starts a new generation; marks of older generations (echoed because of the clear) are ignored.
 *
 * <p>Times are microseconds; the clock is read in milliseconds.
 */
final class PlaybackLedger {
  /** One frame of telephony audio: the least a caller hears of an item that started playing. */
  static final long FRAME_US = 20_000;

  /** Beyond this many unechoed marks, chunks go unmarked until the phone catches up. */
  static final int MAX_PENDING = 4096;

  private static final int INITIAL_CAPACITY = 32;

  /** An utterance of the agent (or a local clip), as played on the phone. */
  static final class Item {
    final String responseId;
    final String itemId;
    final boolean local;
    long startUs = -1;
    long sentUs;
    long playedUs;

    Item(String responseId, String itemId, boolean local) {
      this.responseId = responseId;
      this.itemId = itemId;
      this.local = local;
    }
  }

  /**
   * How much of an interrupted item the caller heard.
   *
   * @param item the item
   * @param heardUs the heard audio, at most what was sent
   */
  record Heard(Item item, long heardUs) {}

  private int generation;
  private int nextSeq;
  private int[] seqs = new int[INITIAL_CAPACITY];
  private @Nullable Item[] items = new Item[INITIAL_CAPACITY];
  private long[] itemEnds = new long[INITIAL_CAPACITY];
  private long[] timelineEnds = new long[INITIAL_CAPACITY];
  private int head;
  private int size;
  private long sentUs;
  private long anchorUs;
  private long anchorAtMs;
  private boolean tailUnmarked;
  private final List<Item> live = new ArrayList<>(4);
  private @Nullable Item last;

  int generation() {
    return generation;
  }

  /** Finds or starts the item audio belongs to. */
  Item item(String responseId, String itemId, boolean local) {
    Item l = last;
    if (l != null && l.itemId.equals(itemId) && l.responseId.equals(responseId)) {
      return l;
    }
    for (int i = 0; i < live.size(); i++) {
      Item it = live.get(i);
      if (it.itemId.equals(itemId) && it.responseId.equals(responseId)) {
        last = it;
        return it;
      }
    }
    Item it = new Item(responseId, itemId, local);
    live.add(it);
    last = it;
    return it;
  }

  /**
   * Records a chunk sent to the phone and returns the name of the mark to send after it.
   *
   * @return the mark's name, or null if too many marks are pending (the chunk goes unmarked)
   */
  @Nullable String sent(Item item, long durationUs, long nowMs) {
    if (size == 0 && !tailUnmarked) {
      // The phone had played everything: it starts this chunk now.
      anchorUs = sentUs;
      anchorAtMs = nowMs;
    }
    if (item.startUs < 0) {
      item.startUs = sentUs;
    }
    sentUs += durationUs;
    item.sentUs += durationUs;
    if (size == seqs.length && !grow(false)) {
      tailUnmarked = true;
      return null;
    }
    return push(item);
  }

  /** Tells whether chunks were sent without a mark since the last mark. */
  boolean needsDoneMark() {
    return tailUnmarked && last != null;
  }

  /** Returns the name of a mark that closes unmarked audio, to send after it (no audio). */
  @Nullable String doneMark() {
    Item l = last;
    if (!tailUnmarked || l == null) {
      return null;
    }
    if (size == seqs.length) {
      grow(true);
    }
    return push(l);
  }

  private String push(Item item) {
    int seq = nextSeq++;
    int slot = (head + size) % seqs.length;
    seqs[slot] = seq;
    items[slot] = item;
    itemEnds[slot] = item.sentUs;
    timelineEnds[slot] = sentUs;
    size++;
    tailUnmarked = false;
    return name(generation, seq);
  }

  private boolean grow(boolean force) {
    int n = seqs.length;
    if (n >= MAX_PENDING && !force) {
      return false;
    }
    int cap = n * 2;
    int[] s = new int[cap];
    Item[] it = new Item[cap];
    long[] ie = new long[cap];
    long[] te = new long[cap];
    for (int i = 0; i < size; i++) {
      int from = (head + i) % n;
      s[i] = seqs[from];
      it[i] = items[from];
      ie[i] = itemEnds[from];
      te[i] = timelineEnds[from];
    }
    seqs = s;
    items = it;
    itemEnds = ie;
    timelineEnds = te;
    head = 0;
    return true;
  }

  static String name(int generation, int seq) {
    return "g" + generation + "-s" + seq;
  }

  /**
   * Records an echoed mark.
   *
   * @return true if it proved playback in the current generation; false for marks of cleared
   *     generations, unknown or malformed names
   */
  boolean echoed(String name, long nowMs) {
    int n = name.length();
    if (n < 4 || name.charAt(0) != 'g') {
      return false;
    }
    int dash = name.indexOf("-s", 1);
    if (dash < 0 || dash + 2 >= n) {
      return false;
    }
    int gen;
    int seq;
    try {
      gen = Integer.parseInt(name, 1, dash, 10);
      seq = Integer.parseInt(name, dash + 2, n, 10);
    } catch (NumberFormatException e) {
      return false;
    }
    if (gen != generation) {
      return false;
    }
    boolean found = false;
    while (size > 0 && seqs[head] - seq <= 0) {
      Item it = items[head];
      if (it != null && itemEnds[head] > it.playedUs) {
        it.playedUs = itemEnds[head];
      }
      anchorUs = Math.max(anchorUs, timelineEnds[head]);
      items[head] = null;
      head = (head + 1) % seqs.length;
      size--;
      found = true;
    }
    if (found) {
      anchorAtMs = nowMs;
      pruneFinished();
    }
    return found;
  }

  private void pruneFinished() {
    // Keep a few finished items: audio of an item may resume after another item's (a local clip).
    if (live.size() <= 4) {
      return;
    }
    for (int i = live.size() - 1; i >= 0; i--) {
      Item it = live.get(i);
      if (it != last && it.playedUs >= it.sentUs) {
        live.remove(i);
      }
    }
  }

  /** Tells whether everything sent has been played (every mark echoed). */
  boolean idle() {
    return size == 0 && !tailUnmarked;
  }

  /** Returns the audio sent in this generation. */
  long sentUs() {
    return sentUs;
  }

  /** Estimates the played position on the timeline: the anchor plus elapsed time, capped. */
  long playedUs(long nowMs) {
    long elapsedUs = Math.max(0, nowMs - anchorAtMs) * 1000;
    long cap = size > 0 ? timelineEnds[head] : sentUs;
    return Math.max(anchorUs, Math.min(anchorUs + elapsedUs, cap));
  }

  /**
   * Computes how much of each unfinished item the caller heard, then starts a new generation. An
   * item at the playback head (the phone was playing it) counts as started: it is credited at least
   * one frame, so a truncation never erases audio that may have been heard. Items queued behind the
   * head are credited nothing.
   *
   * @return the items not fully played, with what was heard of each
   */
  List<Heard> interrupt(long nowMs) {
    long position = playedUs(nowMs);
    Item headItem = size > 0 ? items[head] : null;
    List<Heard> heard = new ArrayList<>(live.size());
    for (int i = 0; i < live.size(); i++) {
      Item it = live.get(i);
      if (it.sentUs == 0 || it.playedUs >= it.sentUs) {
        continue;
      }
      long us;
      if (it == headItem) {
        us = itemEnds[head] - (timelineEnds[head] - position);
        us = Math.max(Math.max(us, it.playedUs), Math.min(FRAME_US, it.sentUs));
      } else if (it.startUs >= 0 && it.startUs < position) {
        us = Math.max(it.playedUs, Math.min(FRAME_US, it.sentUs));
      } else {
        us = it.playedUs;
      }
      heard.add(new Heard(it, Math.min(us, it.sentUs)));
    }
    reset();
    return heard;
  }

  /** Forgets everything and starts a new generation (after a clear or on a new stream). */
  void reset() {
    generation++;
    nextSeq = 0;
    if (seqs.length > INITIAL_CAPACITY) {
      seqs = new int[INITIAL_CAPACITY];
      items = new Item[INITIAL_CAPACITY];
      itemEnds = new long[INITIAL_CAPACITY];
      timelineEnds = new long[INITIAL_CAPACITY];
    } else {
      Arrays.fill(items, null);
    }
    head = 0;
    size = 0;
    sentUs = 0;
    anchorUs = 0;
    anchorAtMs = 0;
    tailUnmarked = false;
    live.clear();
    last = null;
  }

  /** Returns the number of marks not yet echoed. */
  int pendingMarks() {
    return size;
  }
}
